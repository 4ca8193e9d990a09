using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Origin;

/// <summary>
/// Bodies that end early, framed plainly or aws-chunked, and clients that hang up mid-upload:
/// IncompleteBody (or a closed connection), the old version stays, DATA/tmp empties and the
/// origin keeps serving.
/// </summary>
public sealed class InterruptedUploadTests
{
    // More than one 128 KiB store buffer, so the server is writing a temp file when the client goes.
    private const int BufferBytes = 128 * 1024;

    private static readonly byte[] Original = Encoding.UTF8.GetBytes("version 1, whole");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PutObject_ClientHangsUpHalfway_NothingStoredAndTempFileRemoved(bool reset)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);
        var body = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var request = origin.Request("PUT", "/site/doc.bin").WithBody(body).Sign(origin.Credentials);

        using (var client = await RawHttp.SendPartAsync(origin.S3Url, request, body.Length / 2))
        {
            await origin.WaitForTempFileAsync(BufferBytes);
            HangUp(client, reset);
        }

        await AssertNothingStoredAsync(origin);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PutObject_SignedChunksHangUpMidChunk_NothingStoredAndTempFileRemoved(bool reset)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);
        var request = origin.Request("PUT", "/site/doc.bin").SignChunked(origin.Credentials, RandomNumberGenerator.GetBytes(1024 * 1024), 256 * 1024);

        // 600 KB is in the middle of the third chunk.
        using (var client = await RawHttp.SendPartAsync(origin.S3Url, request, 600_000))
        {
            await origin.WaitForTempFileAsync(BufferBytes);
            HangUp(client, reset);
        }

        await AssertNothingStoredAsync(origin);
    }

    public static TheoryData<string> ShortChunkedBodies => new() { "ends inside a chunk", "chunk shorter than its size", "no final chunk" };

    [Theory]
    [MemberData(nameof(ShortChunkedBodies))]
    public async Task PutObject_SignedChunksEndEarly_IncompleteBodyAndNothingStored(string shape)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);

        // One chunk of 2,000 bytes and the final chunk; Content-Length always matches what is
        // sent, so only the aws-chunked framing says the body is short.
        var request = origin.Request("PUT", "/site/doc.bin").SignChunked(origin.Credentials, RandomNumberGenerator.GetBytes(2000), 2000);
        var full = request.Body;
        var dataStart = Array.IndexOf(full, (byte)'\n') + 1;
        var finalChunk = full.AsSpan(dataStart + 2000 + 2).ToArray();
        byte[] body = shape switch
        {
            "ends inside a chunk" => full[..(dataStart + 1000)],
            "chunk shorter than its size" => [.. full.AsSpan(0, dataStart + 1000), .. "\r\n"u8, .. finalChunk],
            _ => full[..(dataStart + 2000 + 2)],
        };

        (await origin.SendAsync(request.WithBody(body))).AssertError(400, "IncompleteBody");

        await AssertNothingStoredAsync(origin);
    }

    [Fact]
    public async Task PutObject_BodyShorterThanContentLength_NothingStored()
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);
        var request = origin.Request("PUT", "/site/doc.bin").Header("Content-Length", "2000").WithBody(RandomNumberGenerator.GetBytes(1000)).Sign(origin.Credentials, "UNSIGNED-PAYLOAD");

        // The client stops sending and waits. Kestrel takes the half-close for a client that has
        // gone and drops the connection; were it to answer, the answer must be IncompleteBody.
        RawResponse? response = null;
        try
        {
            response = await RawHttp.SendAsync(origin.S3Url, request, endSending: true);
        }
        catch (IOException)
        {
        }

        response?.AssertError(400, "IncompleteBody");
        await AssertNothingStoredAsync(origin);
    }

    [Theory]
    [InlineData("zz\r\n")]
    [InlineData("10\r\n0123456789abcdefXY")]
    public async Task PutObject_HttpChunkedFramingBroken_IncompleteBodyAndNothingStored(string tail)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);

        // Transfer-Encoding: chunked whose framing goes wrong after one good chunk: a size that
        // is not hex, or chunk data longer than its size.
        var request = origin.Request("PUT", "/site/doc.bin").Header("Transfer-Encoding", "chunked").Sign(origin.Credentials, "UNSIGNED-PAYLOAD")
            .WithBody(Encoding.ASCII.GetBytes("5\r\nhello\r\n" + tail));

        (await origin.SendAsync(request)).AssertError(400, "IncompleteBody");

        await AssertNothingStoredAsync(origin);
    }

    [Fact]
    public async Task UploadPart_ClientHangsUpHalfway_NoPartAndUploadStillCompletes()
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);
        using var s3 = origin.Client();
        var uploadId = (await s3.InitiateMultipartUploadAsync("site", "doc.bin")).UploadId;
        var part = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var request = origin.Request("PUT", $"/site/doc.bin?partNumber=1&uploadId={uploadId}").WithBody(part).Sign(origin.Credentials);

        using (var client = await RawHttp.SendPartAsync(origin.S3Url, request, part.Length / 2))
        {
            await origin.WaitForTempFileAsync(BufferBytes);
            HangUp(client, reset: false);
        }

        await origin.AssertNoTempFilesAsync();
        Assert.Empty((await s3.ListPartsAsync("site", "doc.bin", uploadId)).Parts ?? []);
        await origin.AssertObjectAsync("doc.bin", Original);

        // The upload itself is unharmed: the part again, in full, completes it.
        var uploaded = await s3.UploadPartAsync(new UploadPartRequest { BucketName = "site", Key = "doc.bin", UploadId = uploadId, PartNumber = 1, InputStream = new MemoryStream(part) });
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = "site",
            Key = "doc.bin",
            UploadId = uploadId,
            PartETags = [new PartETag(1, uploaded.ETag)],
        });
        using var get = await s3.GetObjectAsync("site", "doc.bin");
        using var stored = new MemoryStream();
        await get.ResponseStream.CopyToAsync(stored);
        Assert.True(part.AsSpan().SequenceEqual(stored.ToArray()));
    }

    /// <summary>Closes gracefully (FIN), or with an RST as a crashed client or a dropped route does.</summary>
    private static void HangUp(TcpClient client, bool reset)
    {
        if (reset)
        {
            client.Client.LingerState = new LingerOption(true, 0);
        }

        client.Close();
    }

    private static async Task AssertNothingStoredAsync(TestOrigin origin)
    {
        await origin.AssertNoTempFilesAsync();
        await origin.AssertObjectAsync("doc.bin", Original);
        await origin.AssertStillServesAsync();
    }
}

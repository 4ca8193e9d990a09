using System.Text;
using Tandem.Origin;
using Tandem.Origin.Auth;
using Tandem.Origin.Body;
using static Tandem.Tests.Origin.Body.BodyTestKit;

namespace Tandem.Tests.Origin.Body;

public class AwsChunkedTests
{
    public static TheoryData<string, int, int> ReadPatterns() => new()
    {
        // name, raw read size (0 = all at once), seed for random splits (0 = fixed size)
        { "one byte at a time", 1, 0 },
        { "random splits up to 7", 7, 11 },
        { "random splits up to 5000", 5000, 12 },
        { "whole body", 0, 0 },
    };

    private static Stream Raw(byte[] body, int readSize, int seed) =>
        readSize == 0 ? new MemoryStream(body) : new TrickleStream(body, seed == 0 ? null : seed, readSize);

    [Theory]
    [MemberData(nameof(ReadPatterns))]
    public void Decode_SignedChunks_AnySplitOfTheRawStream_DataIntact(string pattern, int readSize, int seed)
    {
        var context = Context(PayloadHashes.StreamingSigned);
        var data = Data(70_001);
        var body = Signed(context, data, 8192);

        var (decoded, checksums) = Decode(Raw(body, readSize, seed), StreamingHeaders(PayloadHashes.StreamingSigned, data.Length), context, readSize: 3001);

        Assert.True(decoded.AsSpan().SequenceEqual(data), pattern);
        Assert.Empty(checksums);
    }

    [Theory]
    [MemberData(nameof(ReadPatterns))]
    public void Decode_SignedChunksWithTrailer_AnySplit_ChecksumVerified(string pattern, int readSize, int seed)
    {
        var context = Context(PayloadHashes.StreamingSignedTrailer);
        var data = Data(50_000);
        var crc = Checksum.Compute(ChecksumAlgorithm.Crc32, data);
        var body = Signed(context, data, 16_384, trailer: ("x-amz-checksum-crc32", crc));

        var (decoded, checksums) = Decode(Raw(body, readSize, seed), StreamingHeaders(PayloadHashes.StreamingSignedTrailer, data.Length, "x-amz-checksum-crc32"), context, readSize: 1024, sync: seed % 2 == 1);

        Assert.True(decoded.AsSpan().SequenceEqual(data), pattern);
        Assert.Equal(crc, checksums["CRC32"]);
    }

    [Theory]
    [MemberData(nameof(ReadPatterns))]
    public void Decode_UnsignedChunksWithTrailer_AnySplit_ChecksumVerified(string pattern, int readSize, int seed)
    {
        var data = Data(30_000);
        var crc = Checksum.Compute(ChecksumAlgorithm.Crc64Nvme, data);
        var body = Unsigned(data, 4096, trailer: ("x-amz-checksum-crc64nvme", crc));

        var (decoded, checksums) = Decode(Raw(body, readSize, seed), StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, data.Length, "x-amz-checksum-crc64nvme"), auth: null, readSize: 100);

        Assert.True(decoded.AsSpan().SequenceEqual(data), pattern);
        Assert.Equal(new Dictionary<string, string> { ["CRC64NVME"] = crc }, checksums);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decode_HexSizesInEitherCase_Accepted(bool upperHex)
    {
        var context = Context(PayloadHashes.StreamingSigned);
        var data = Data(3000);
        var signed = Signed(context, data, 0xABC, upperHex);
        var unsigned = Unsigned(data, 0xABC, upperHex);
        Assert.Contains(upperHex ? "ABC;" : "abc;", Encoding.ASCII.GetString(signed), StringComparison.Ordinal);

        Assert.Equal(data, Decode(new MemoryStream(signed), StreamingHeaders(PayloadHashes.StreamingSigned, data.Length), context).Data);
        Assert.Equal(data, Decode(new MemoryStream(unsigned), StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, data.Length), null).Data);
    }

    [Fact]
    public void Decode_TrailerAfterExtraCrlf_Accepted()
    {
        var context = Context(PayloadHashes.StreamingSignedTrailer);
        var data = Data(1000);
        var sha = Checksum.Compute(ChecksumAlgorithm.Sha256, data);
        var body = Signed(context, data, 400, trailer: ("x-amz-checksum-sha256", sha), layout: TrailerLayout.ExtraCrlf);

        var (_, checksums) = Decode(new MemoryStream(body), StreamingHeaders(PayloadHashes.StreamingSignedTrailer, data.Length, "x-amz-checksum-sha256"), context);

        Assert.Equal(sha, checksums["SHA256"]);
    }

    [Fact]
    public void Decode_UnsignedChunkExtensions_Ignored()
    {
        var body = Encoding.ASCII.GetBytes("5;name=value;other\r\nhello\r\n0;x=y\r\n\r\n");
        Assert.Equal("hello"u8.ToArray(), Decode(new MemoryStream(body), StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, 5), null).Data);
    }

    [Fact]
    public void Decode_EmptyObject_Accepted()
    {
        var context = Context(PayloadHashes.StreamingSigned);
        Assert.Empty(Decode(new MemoryStream(Signed(context, [], 10)), StreamingHeaders(PayloadHashes.StreamingSigned, 0), context).Data);
    }

    [Fact]
    public void Decode_ChangedDataByte_SignatureDoesNotMatch()
    {
        var context = Context(PayloadHashes.StreamingSigned);
        var data = Data(20_000);
        var body = Signed(context, data, 8192);
        body[^200] ^= 1;

        var error = DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingSigned, data.Length), context);

        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.Equal(403, error.Status);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Decode_ChangedChunkSignature_SignatureDoesNotMatch(int which)
    {
        var context = Context(PayloadHashes.StreamingSigned);
        var data = Data(10_000);
        var body = Signed(context, data, 8192);
        var at = IndexOfNth(body, "chunk-signature=", which) + "chunk-signature=".Length;
        body[at] = (byte)(body[at] == '0' ? '1' : '0');

        Assert.Equal("SignatureDoesNotMatch", DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingSigned, data.Length), context).Code);
    }

    [Fact]
    public void Decode_ChunksSwapped_SignatureDoesNotMatch()
    {
        var context = Context(PayloadHashes.StreamingSigned);
        var data = Data(200);
        var body = Encoding.Latin1.GetString(Signed(context, data, 100));
        var second = IndexOfNth(Encoding.Latin1.GetBytes(body), "64;", 1);
        var third = IndexOfNth(Encoding.Latin1.GetBytes(body), "0;", 0, from: second + 10);
        var swapped = body[second..third] + body[..second] + body[third..];

        Assert.Equal("SignatureDoesNotMatch", DecodeFails(Encoding.Latin1.GetBytes(swapped), StreamingHeaders(PayloadHashes.StreamingSigned, data.Length), context).Code);
    }

    [Fact]
    public void Decode_ChunkWithoutSignatureInSignedMode_SignatureDoesNotMatch()
    {
        var context = Context(PayloadHashes.StreamingSigned);
        var body = Unsigned(Data(10), 10);
        Assert.Equal("SignatureDoesNotMatch", DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingSigned, 10), context).Code);
    }

    [Fact]
    public void Decode_WrongTrailerChecksum_BadDigestNamingTheAlgorithm()
    {
        var context = Context(PayloadHashes.StreamingSignedTrailer);
        var data = Data(5000);
        var wrong = Checksum.Compute(ChecksumAlgorithm.Crc32, Data(5000, seed: 2));
        var body = Signed(context, data, 4096, trailer: ("x-amz-checksum-crc32", wrong));

        var error = DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingSignedTrailer, data.Length, "x-amz-checksum-crc32"), context);

        Assert.Equal("BadDigest", error.Code);
        Assert.Equal(400, error.Status);
        Assert.Equal("The CRC32 you specified did not match the calculated checksum.", error.Message);
    }

    [Fact]
    public void Decode_WrongUnsignedTrailerChecksum_BadDigest()
    {
        var data = Data(5000);
        var body = Unsigned(data, 4096, trailer: ("x-amz-checksum-crc32c", Checksum.Compute(ChecksumAlgorithm.Crc32C, Data(5000, seed: 2))));

        var error = DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, data.Length, "x-amz-checksum-crc32c"), null);

        Assert.Equal("BadDigest", error.Code);
        Assert.Contains("CRC32C", error.Message);
    }

    [Fact]
    public void Decode_TrailerValueChangedAfterSigning_SignatureDoesNotMatch()
    {
        var context = Context(PayloadHashes.StreamingSignedTrailer);
        var data = Data(100);
        var crc = Checksum.Compute(ChecksumAlgorithm.Crc32, data);
        var other = Checksum.Compute(ChecksumAlgorithm.Crc32, Data(100, seed: 9));
        var body = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(Signed(context, data, 64, trailer: ("x-amz-checksum-crc32", crc))).Replace(crc, other));

        Assert.Equal("SignatureDoesNotMatch", DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingSignedTrailer, data.Length, "x-amz-checksum-crc32"), context).Code);
    }

    [Fact]
    public void Decode_SignedTrailerWithoutSignature_SignatureDoesNotMatch()
    {
        var context = Context(PayloadHashes.StreamingSignedTrailer);
        var data = Data(100);
        var text = Encoding.Latin1.GetString(Signed(context, data, 64, trailer: ("x-amz-checksum-crc32", Checksum.Compute(ChecksumAlgorithm.Crc32, data))));
        var cut = text.IndexOf("x-amz-trailer-signature", StringComparison.Ordinal);
        var body = Encoding.Latin1.GetBytes(text[..cut] + "\r\n");

        Assert.Equal("SignatureDoesNotMatch", DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingSignedTrailer, data.Length, "x-amz-checksum-crc32"), context).Code);
    }

    [Fact]
    public void Decode_AnnouncedTrailerMissing_MalformedTrailerError()
    {
        var data = Data(100);
        var error = DecodeFails(Unsigned(data, 64), StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, data.Length, "x-amz-checksum-crc32"), null);

        Assert.Equal("MalformedTrailerError", error.Code);
        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void Decode_TrailerOtherThanAnnounced_MalformedTrailerError()
    {
        var data = Data(100);
        var body = Unsigned(data, 64, trailer: ("x-amz-checksum-sha1", Checksum.Compute(ChecksumAlgorithm.Sha1, data)));

        Assert.Equal("MalformedTrailerError", DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, data.Length, "x-amz-checksum-crc32"), null).Code);
        Assert.Equal("MalformedTrailerError", DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, data.Length), null).Code);
    }

    [Fact]
    public void Decode_TrailerValueNotBase64OfTheRightSize_InvalidRequest()
    {
        var data = Data(100);
        var body = Unsigned(data, 64, trailer: ("x-amz-checksum-crc32", "y/Q5Jg"));

        var error = DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, data.Length, "x-amz-checksum-crc32"), null);
        Assert.Equal("InvalidRequest", error.Code);
        Assert.Equal("Value for x-amz-checksum-crc32 trailing header is invalid.", error.Message);
    }

    [Fact]
    public void Decode_TrailerAnnouncedWithoutTrailerVariant_MalformedTrailerError()
    {
        var context = Context(PayloadHashes.StreamingSigned);
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), StreamingHeaders(PayloadHashes.StreamingSigned, 1, "x-amz-checksum-crc32"), context));
        Assert.Equal("MalformedTrailerError", error.Code);
    }

    [Fact]
    public void Decode_EveryTruncation_FailsOrYieldsAllTheData()
    {
        var context = Context(PayloadHashes.StreamingSignedTrailer);
        var data = Data(300);
        var body = Signed(context, data, 128, trailer: ("x-amz-checksum-crc32", Checksum.Compute(ChecksumAlgorithm.Crc32, data)));
        var headers = StreamingHeaders(PayloadHashes.StreamingSignedTrailer, data.Length, "x-amz-checksum-crc32");

        for (var length = 0; length < body.Length; length++)
        {
            try
            {
                var (decoded, _) = Decode(new MemoryStream(body[..length]), headers, context);
                // Only the closing empty line may be missing.
                Assert.Equal(data, decoded);
                Assert.True(length >= body.Length - 2, $"a body cut to {length} of {body.Length} bytes was accepted");
            }
            catch (S3Exception e)
            {
                Assert.Contains(e.Code, new[] { "IncompleteBody", "MalformedTrailerError", "InvalidRequest", "SignatureDoesNotMatch" });
            }
        }
    }

    [Fact]
    public void Decode_TruncatedInsideChunkData_IncompleteBody()
    {
        var data = Data(1000);
        var body = Unsigned(data, 512);
        var error = DecodeFails(body[..700], StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, data.Length), null);

        Assert.Equal("IncompleteBody", error.Code);
        Assert.Equal(400, error.Status);
    }

    [Theory]
    [InlineData(999)]
    [InlineData(1001)]
    public void Decode_DecodedLengthDiffersFromHeader_IncompleteBody(long declared)
    {
        var data = Data(1000);
        Assert.Equal("IncompleteBody", DecodeFails(Unsigned(data, 300), StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, declared), null).Code);
    }

    [Theory]
    [InlineData("zz\r\nhello\r\n0\r\n\r\n", "hexadecimal")]
    [InlineData("\r\nhello\r\n0\r\n\r\n", "hexadecimal")]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n", "hexadecimal")]
    [InlineData("4\r\nhello\r\n0\r\n\r\n", "CRLF")]
    [InlineData("5\nhello\r\n0\r\n\r\n", "CRLF")]
    [InlineData("5\r\nhello\r\n0\r\n\r\ngarbage", "after the end")]
    [InlineData("FFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n", "hexadecimal")]
    public void Decode_MalformedFraming_InvalidRequestSayingWhat(string body, string message)
    {
        var error = DecodeFails(Encoding.ASCII.GetBytes(body), StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, 5), null);

        Assert.Equal("InvalidRequest", error.Code);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Decode_EndlessChunkHeaderLine_InvalidRequest()
    {
        var body = Encoding.ASCII.GetBytes("5;" + new string('x', 10_000) + "\r\nhello\r\n0\r\n\r\n");
        Assert.Equal("InvalidRequest", DecodeFails(body, StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, 5), null).Code);
    }

    [Fact]
    public void Decode_TrailingCrlfAfterEnd_Tolerated()
    {
        var body = Encoding.ASCII.GetBytes("5\r\nhello\r\n0\r\n\r\n\r\n");
        Assert.Equal("hello"u8.ToArray(), Decode(new MemoryStream(body), StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, 5), null).Data);
    }

    [Fact]
    public void Open_SignedStreamingWhenAnonymous_AccessDenied()
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), StreamingHeaders(PayloadHashes.StreamingSigned, 0), null));
        Assert.Equal("AccessDenied", error.Code);
        Assert.Equal(403, error.Status);
        Assert.Equal("AccessDenied", Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), StreamingHeaders(PayloadHashes.StreamingSignedTrailer, 0), null)).Code);
    }

    [Fact]
    public void Open_SignedStreamingWithPresignedAuth_AccessDenied()
    {
        var presigned = Context(PayloadHashes.Unsigned);
        Assert.Equal("AccessDenied", Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), StreamingHeaders(PayloadHashes.StreamingSigned, 0), presigned)).Code);
    }

    [Fact]
    public void Open_SigV4aStreaming_InvalidRequest()
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), StreamingHeaders("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", 0), null));
        Assert.Equal("InvalidRequest", error.Code);
    }

    [Fact]
    public void Open_AwsChunkedEncodingWithoutStreamingPayload_InvalidRequest()
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), Headers(("Content-Encoding", "gzip, aws-chunked"), ("x-amz-content-sha256", PayloadHashes.Unsigned)), null));
        Assert.Equal("InvalidRequest", error.Code);
    }

    [Fact]
    public void Open_DeclaredLength_FromDecodedContentLength()
    {
        using var body = RequestBody.Open(new MemoryStream(), StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, 1234, null, ("Content-Length", "99999")), null);
        Assert.Equal(1234, body.DeclaredLength);
    }

    [Fact]
    public void Decode_LargeBodyInDotNetSizedChunks_RandomReads()
    {
        var context = Context(PayloadHashes.StreamingSignedTrailer);
        var data = Data(3 * 1024 * 1024 + 17);
        var crc = Checksum.Compute(ChecksumAlgorithm.Crc64Nvme, data);
        var body = Signed(context, data, 81_920, trailer: ("x-amz-checksum-crc64nvme", crc));

        var (decoded, checksums) = Decode(new TrickleStream(body, seed: 5, maxRead: 100_000), StreamingHeaders(PayloadHashes.StreamingSignedTrailer, data.Length, "x-amz-checksum-crc64nvme"), context, readSize: 65_536);

        Assert.True(decoded.AsSpan().SequenceEqual(data));
        Assert.Equal(crc, checksums["CRC64NVME"]);
    }

    private static int IndexOfNth(byte[] haystack, string needle, int n, int from = 0)
    {
        var pattern = Encoding.ASCII.GetBytes(needle);
        var at = from - 1;
        for (var i = 0; i <= n; i++)
        {
            at = haystack.AsSpan(at + 1).IndexOf(pattern) + at + 1;
        }

        return at;
    }
}

using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using Tandem.Core.Configuration;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Origin;

/// <summary>
/// Writes without a valid signature, and bodies that do not match what was signed or digested:
/// each gets S3's 403 or 400 with an XML error, and the bucket is exactly as it was.
/// </summary>
public sealed class SignatureTests
{
    private static readonly byte[] Original = Encoding.UTF8.GetBytes("version 1 of doc.txt");

    /// <summary>Every kind of write, each unsigned, signed with a wrong secret and signed with an unknown access key.</summary>
    public static TheoryData<string, string> UnauthenticatedWrites
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var operation in new[]
            {
                "PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "CreateMultipartUpload",
                "PutBucketWebsite", "DeleteBucketWebsite", "PutBucketPolicy", "DeleteBucketPolicy", "CreateBucket", "DeleteBucket",
            })
            {
                foreach (var signing in new[] { "unsigned", "wrong secret", "unknown key" })
                {
                    data.Add(operation, signing);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(UnauthenticatedWrites))]
    public async Task Write_WithoutValidSignature_403AndNothingChanges(string operation, string signing)
    {
        await using var origin = await StartWithDocumentAsync();
        var request = WriteRequest(origin, operation);
        var (signed, code) = signing switch
        {
            "unsigned" => (request, "AccessDenied"),
            "wrong secret" => (request.Sign(new S3Credentials(origin.Credentials.AccessKeyId, TestOrigin.NewCredentials().SecretAccessKey)), "SignatureDoesNotMatch"),
            _ => (request.Sign(TestOrigin.NewCredentials()), "InvalidAccessKeyId"),
        };

        (await origin.SendAsync(signed)).AssertError(403, code);

        await AssertUnchangedAsync(origin);
    }

    [Fact]
    public async Task Write_SignedAnHourAgo_RequestTimeTooSkewedAndNothingChanges()
    {
        await using var origin = await StartWithDocumentAsync();

        var response = await origin.SendAsync(PutDoc(origin, "replaced").Sign(origin.Credentials, time: DateTimeOffset.UtcNow.AddHours(-1)));

        response.AssertError(403, "RequestTimeTooSkewed");
        await AssertUnchangedAsync(origin);
    }

    [Fact]
    public async Task PutObject_PresignedUrlTamperedOrExpired_403UntilTheUrlIsIntact()
    {
        await using var origin = await StartWithDocumentAsync();
        var replacement = Encoding.UTF8.GetBytes("version 2, through a presigned URL");
        var url = PutDoc(origin, "").PresignedTarget(origin.Credentials, TimeSpan.FromMinutes(5));
        var expired = PutDoc(origin, "").PresignedTarget(origin.Credentials, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Contains("X-Amz-Expires=300", url, StringComparison.Ordinal);

        var longer = await origin.SendAsync(origin.Request("PUT", url.Replace("X-Amz-Expires=300", "X-Amz-Expires=3000", StringComparison.Ordinal)).WithBody(replacement));
        var otherKey = await origin.SendAsync(origin.Request("PUT", url.Replace("/site/doc.txt", "/site/copy.txt", StringComparison.Ordinal)).WithBody(replacement));
        var late = await origin.SendAsync(origin.Request("PUT", expired).WithBody(replacement));

        longer.AssertError(403, "SignatureDoesNotMatch");
        otherKey.AssertError(403, "SignatureDoesNotMatch");
        late.AssertError(403, "AccessDenied");
        await AssertUnchangedAsync(origin);

        // The same URL, untouched and in time, is accepted: the refusals were about the changes.
        Assert.Equal(200, (await origin.SendAsync(origin.Request("PUT", url).WithBody(replacement))).Status);
        await origin.AssertObjectAsync("doc.txt", replacement);
    }

    [Fact]
    public async Task PutObject_BodyChangedAfterSigning_XAmzContentSHA256MismatchAndOldVersionKept()
    {
        await using var origin = await StartWithDocumentAsync();
        var request = PutDoc(origin, "version 2, signed").Sign(origin.Credentials).WithBody(Encoding.UTF8.GetBytes("version 2, swapped"));

        (await origin.SendAsync(request)).AssertError(400, "XAmzContentSHA256Mismatch");

        await AssertUnchangedAsync(origin);
    }

    [Fact]
    public async Task PutObject_SignedChunkTampered_SignatureDoesNotMatchAndOldVersionKept()
    {
        await using var origin = await StartWithDocumentAsync();
        var request = origin.Request("PUT", "/site/doc.txt").SignChunked(origin.Credentials, RandomNumberGenerator.GetBytes(200_000), 64 * 1024);
        var body = request.Body.ToArray();
        body[Array.IndexOf(body, (byte)'\n') + 100] ^= 0x01; // a byte of the first chunk's data

        (await origin.SendAsync(request.WithBody(body))).AssertError(403, "SignatureDoesNotMatch");

        await AssertUnchangedAsync(origin);
    }

    [Fact]
    public async Task PutObject_SignedChunksIntact_Stored()
    {
        // The control for the tampered-chunk test: the same request, unchanged, is accepted.
        await using var origin = await StartWithDocumentAsync();
        var data = RandomNumberGenerator.GetBytes(200_000);

        var response = await origin.SendAsync(origin.Request("PUT", "/site/doc.txt").SignChunked(origin.Credentials, data, 64 * 1024));

        Assert.Equal(200, response.Status);
        await origin.AssertObjectAsync("doc.txt", data);
    }

    [Fact]
    public async Task PutObject_WrongContentMd5_BadDigestAndOldVersionKept()
    {
        await using var origin = await StartWithDocumentAsync();
        var request = PutDoc(origin, "version 2").Header("Content-MD5", Convert.ToBase64String(MD5.HashData("version 3"u8))).Sign(origin.Credentials);

        (await origin.SendAsync(request)).AssertError(400, "BadDigest");

        await AssertUnchangedAsync(origin);
    }

    [Fact]
    public async Task PutObject_WrongChecksumCrc32_BadDigestAndOldVersionKept()
    {
        await using var origin = await StartWithDocumentAsync();

        // Well-formed (four bytes) but not the CRC32 of the body, which is not zero.
        var request = PutDoc(origin, "version 2").Header("x-amz-checksum-crc32", "AAAAAA==").Sign(origin.Credentials);

        (await origin.SendAsync(request)).AssertError(400, "BadDigest");

        await AssertUnchangedAsync(origin);
    }

    [Fact]
    public async Task GetObject_Anonymous_ForbiddenUntilBucketPolicyAllowsPublicRead()
    {
        await using var origin = await TestOrigin.StartAsync();
        using var s3 = origin.Client();
        await s3.PutBucketAsync("site");
        await s3.PutBucketWebsiteAsync(new PutBucketWebsiteRequest { BucketName = "site", WebsiteConfiguration = new WebsiteConfiguration { IndexDocumentSuffix = "index.html" } });
        await origin.PutAsync("doc.txt", Original);

        (await origin.SendAsync(origin.Request("GET", "/site/doc.txt"))).AssertError(403, "AccessDenied");
        Assert.Equal(403, (await origin.WebsiteGetAsync("/doc.txt")).Status);

        await s3.PutBucketPolicyAsync("site", TestOrigin.PublicReadPolicyJson("site"));

        var api = await origin.SendAsync(origin.Request("GET", "/site/doc.txt"));
        Assert.Equal(200, api.Status);
        Assert.Equal(Original, api.Body);
        var website = await origin.WebsiteGetAsync("/doc.txt");
        Assert.Equal(200, website.Status);
        Assert.Equal(Original, website.Body);
    }

    private static Task<TestOrigin> StartWithDocumentAsync() => TestOrigin.StartWithObjectAsync("doc.txt", Original);

    private static RawRequest PutDoc(TestOrigin origin, string body) =>
        origin.Request("PUT", "/site/doc.txt").WithBody(Encoding.UTF8.GetBytes(body));

    /// <summary>One unsigned request for each kind of write, aimed at what <see cref="StartWithDocumentAsync"/> set up.</summary>
    private static RawRequest WriteRequest(TestOrigin origin, string operation)
    {
        var deleteXml = Encoding.UTF8.GetBytes("<Delete><Object><Key>doc.txt</Key></Object></Delete>");
        return operation switch
        {
            "PutObject" => PutDoc(origin, "replaced"),
            "CopyObject" => origin.Request("PUT", "/site/copy.txt").Header("x-amz-copy-source", "/site/doc.txt"),
            "DeleteObject" => origin.Request("DELETE", "/site/doc.txt"),
            "DeleteObjects" => origin.Request("POST", "/site?delete").WithBody(deleteXml).Header("Content-MD5", Convert.ToBase64String(MD5.HashData(deleteXml))),
            "CreateMultipartUpload" => origin.Request("POST", "/site/doc.txt?uploads"),
            "PutBucketWebsite" => origin.Request("PUT", "/site?website")
                .WithBody(Encoding.UTF8.GetBytes("<WebsiteConfiguration><IndexDocument><Suffix>evil.html</Suffix></IndexDocument></WebsiteConfiguration>")),
            "DeleteBucketWebsite" => origin.Request("DELETE", "/site?website"),
            "PutBucketPolicy" => origin.Request("PUT", "/site?policy").WithBody("""{"Version":"2012-10-17","Statement":[]}"""u8.ToArray()),
            "DeleteBucketPolicy" => origin.Request("DELETE", "/site?policy"),
            "CreateBucket" => origin.Request("PUT", "/other"),
            "DeleteBucket" => origin.Request("DELETE", "/site"),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };
    }

    /// <summary>The object, the bucket's settings and the bucket list are all as set up, and the origin still serves.</summary>
    private static async Task AssertUnchangedAsync(TestOrigin origin)
    {
        await origin.AssertObjectAsync("doc.txt", Original);
        await origin.AssertObjectAsync("copy.txt", null);
        using var s3 = origin.Client();
        Assert.Equal(["site"], (await s3.ListBucketsAsync()).Buckets.Select(b => b.BucketName));
        Assert.Equal("index.html", (await s3.GetBucketWebsiteAsync("site")).WebsiteConfiguration.IndexDocumentSuffix);
        Assert.Equal(TestOrigin.PublicReadPolicyJson("site"), (await s3.GetBucketPolicyAsync("site")).Policy);
        Assert.Empty((await s3.ListMultipartUploadsAsync("site")).MultipartUploads ?? []);
        var website = await origin.WebsiteGetAsync("/doc.txt");
        Assert.Equal(200, website.Status);
        Assert.Equal(Original, website.Body);
        await origin.AssertNoTempFilesAsync();
        await origin.AssertStillServesAsync();
    }
}

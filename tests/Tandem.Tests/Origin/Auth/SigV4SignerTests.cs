using Tandem.Core.Configuration;
using Tandem.Origin.Auth;
using static Tandem.Tests.Origin.Auth.AwsExamples;

namespace Tandem.Tests.Origin.Auth;

public class SigV4SignerTests
{
    [Fact]
    public void Sign_AwsGetObjectExample_ProducesDocumentedSignature()
    {
        var request = Request("GET", "/test.txt", "", ("Host", Host), ("Range", "bytes=0-9"));

        var signed = SigV4Signer.Sign(request, Credentials, "us-east-1", Time, PayloadHashes.Empty);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            signed.Request.GetHeader("authorization"));
        Assert.Equal(AmzDate, signed.Request.GetHeader("x-amz-date"));
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", signed.Context.SeedSignature);
    }

    [Fact]
    public void Sign_AwsStreamingExample_ProducesDocumentedSeed()
    {
        var request = Request("PUT", "/examplebucket/chunkObject.txt", "",
            ("Host", "s3.amazonaws.com"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"), ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"), ("Content-Length", "66824"));

        var signed = SigV4Signer.Sign(request, Credentials, "us-east-1", Time, PayloadHashes.StreamingSigned);

        Assert.Equal("4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", signed.Context.SeedSignature);
    }

    [Fact]
    public void Presign_AwsExample_ProducesDocumentedQuery()
    {
        var presigned = SigV4Signer.Presign(Request("GET", "/test.txt", "", ("Host", Host)), Credentials, "us-east-1", Time, TimeSpan.FromDays(1));

        Assert.Equal(PresignedQuery, presigned.Request.RawQuery);
        Assert.True(presigned.Context.IsPresigned);
    }

    [Fact]
    public void SignChunk_AwsStreamingExample_ProducesDocumentedChain()
    {
        var context = SigV4Verifier.Authenticate(StreamingPut(), Lookup, Time)!;

        var first = SigV4Signer.SignChunk(context, context.SeedSignature, Enumerable.Repeat((byte)'a', 65536).ToArray());
        var second = SigV4Signer.SignChunk(context, first, Enumerable.Repeat((byte)'a', 1024).ToArray());
        var last = SigV4Signer.SignChunk(context, second, []);

        Assert.Equal("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648", first);
        Assert.Equal("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497", second);
        Assert.Equal("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9", last);
    }

    [Fact]
    public void SignTrailer_AwsTrailerExample_ProducesDocumentedSignature()
    {
        var context = SigV4Verifier.Authenticate(StreamingTrailerPut(), Lookup, Time)!;

        var trailer = SigV4Signer.SignTrailer(context, "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992", [new("x-amz-checksum-crc32c", "sOO8/Q==")]);

        Assert.Equal("d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435", trailer);
    }

    public static TheoryData<string, string, string> Requests() => new()
    {
        { "GET", "/", "" },
        { "GET", "/", "list-type=2&prefix=" + SigV4Signer.EncodeQueryComponent("photos/2024 é+&=") + "&delimiter=%2F" },
        { "PUT", "/" + SigV4Signer.EncodePath("dir/a b+c&d=e'\"é%.txt"), "" },
        { "PUT", "/" + SigV4Signer.EncodePath("x") , "partNumber=3&uploadId=" + SigV4Signer.EncodeQueryComponent("a/b+c==") },
        { "POST", "/", "delete" },
        { "POST", "/k", "uploads" },
        { "DELETE", "/a%2Fb", "versionId=null" },
        { "HEAD", "/" + SigV4Signer.EncodePath("中文/ü ~.txt"), "" },
        { "GET", "/k", "response-content-disposition=" + SigV4Signer.EncodeQueryComponent("attachment; filename=\"a b.txt\"") + "&x-id=GetObject" },
        { "GET", "/", "acl&policy&website" },
        { "GET", "/k", "a=2&a=1&A=0&b" },
        { "GET", "/k", "q=a+b" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Sign_ThenAuthenticate_RoundTrips(string method, string path, string query)
    {
        var credentials = new S3Credentials("TANDEMKEY", "s3cr3t/with+odd=chars");
        var lookup = new StaticCredentialLookup(credentials);
        var now = new DateTimeOffset(2025, 6, 30, 23, 59, 59, TimeSpan.Zero);
        var request = Request(method, path, query, ("Host", "127.0.0.1:9000"), ("Content-Type", "text/plain"), ("x-amz-meta-a", " x  y "));

        var signed = SigV4Signer.Sign(request, credentials, "tandem", now, PayloadHashes.Unsigned);
        var context = SigV4Verifier.Authenticate(signed.Request, lookup, now.AddMinutes(5), "tandem");

        Assert.NotNull(context);
        Assert.Equal(signed.Context.SeedSignature, context.SeedSignature);
        Assert.Equal("20250630/tandem/s3/aws4_request", context.Scope);
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public void Presign_ThenAuthenticate_RoundTrips(string method, string path, string query)
    {
        var credentials = new S3Credentials("TANDEMKEY", "s3cr3t");
        var now = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var request = Request(method, path, query, ("Host", "cdn.example.org"));

        var presigned = SigV4Signer.Presign(request, credentials, "us-east-1", now, TimeSpan.FromMinutes(10));

        Assert.NotNull(SigV4Verifier.Authenticate(presigned.Request, new StaticCredentialLookup(credentials), now.AddMinutes(9)));
        Assert.Throws<Tandem.Origin.S3Exception>(() => SigV4Verifier.Authenticate(presigned.Request, new StaticCredentialLookup(credentials), now.AddMinutes(11)));
    }

    [Fact]
    public void Sign_NoHostHeader_Throws()
    {
        Assert.Throws<ArgumentException>(() => SigV4Signer.Sign(Request("GET", "/", ""), Credentials, "us-east-1", Time, PayloadHashes.Empty));
    }

    [Fact]
    public void EncodePath_Key_EncodesAllButUnreservedAndSlash()
    {
        Assert.Equal("dir/a%20b%2Bc%26d%3De%27%22%C3%A9%25~%28x%29%2A%21.txt", SigV4Signer.EncodePath("dir/a b+c&d=e'\"é%~(x)*!.txt"));
        Assert.Equal("a%2Fb%20c", SigV4Signer.EncodeQueryComponent("a/b c"));
    }

    [Fact]
    public void StaticCredentialLookup_SameIdTwiceWithDifferentSecrets_Throws()
    {
        Assert.Throws<ArgumentException>(() => new StaticCredentialLookup([("a", "1"), ("a", "2")]));
        Assert.Equal("1", new StaticCredentialLookup([("a", "1"), ("a", "1")]).FindSecret("a"));
        Assert.Null(new StaticCredentialLookup([("a", "1")]).FindSecret("A"));
    }

    [Fact]
    public void AuthContext_ToString_DoesNotShowTheSigningKey()
    {
        var context = SigV4Verifier.Authenticate(GetObject(), Lookup, Time)!;
        Assert.DoesNotContain(Convert.ToHexString(context.SigningKey), context.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("System.Byte[]", context.ToString(), StringComparison.Ordinal);
    }
}

using System.Security.Cryptography;
using Tandem.Origin;
using Tandem.Origin.Auth;
using Tandem.Origin.Body;
using static Tandem.Tests.Origin.Body.BodyTestKit;

namespace Tandem.Tests.Origin.Body;

public class RequestBodyTests
{
    private static readonly byte[] Content = "123456789"u8.ToArray();
    private const string ContentMd5 = "JfnnlDI7RTiF9RgfG2JNCw==";

    private static string Sha256Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    [Fact]
    public void Decode_PlainBodyWithMatchingSha256_Accepted()
    {
        var (data, checksums) = Decode(new MemoryStream(Content), Headers(("x-amz-content-sha256", Sha256Hex(Content)), ("Content-Length", "9")), null);

        Assert.Equal(Content, data);
        Assert.Empty(checksums);
    }

    [Fact]
    public void Decode_PlainBodyWithUpperCaseSha256_Accepted()
    {
        Assert.Equal(Content, Decode(new MemoryStream(Content), Headers(("x-amz-content-sha256", Sha256Hex(Content).ToUpperInvariant())), null).Data);
    }

    [Fact]
    public void Decode_PlainBodyWithOtherSha256_XAmzContentSHA256Mismatch()
    {
        var error = DecodeFails("987654321"u8.ToArray(), Headers(("x-amz-content-sha256", Sha256Hex(Content))), null);

        Assert.Equal("XAmzContentSHA256Mismatch", error.Code);
        Assert.Equal(400, error.Status);
        Assert.Equal(Sha256Hex(Content), error.Details!["ClientComputedContentSHA256"]);
        Assert.Equal(Sha256Hex("987654321"u8.ToArray()), error.Details["S3ComputedContentSHA256"]);
    }

    [Fact]
    public void Decode_UnsignedPayload_NoHashCheck()
    {
        Assert.Equal("987654321"u8.ToArray(), Decode(new MemoryStream("987654321"u8.ToArray()), Headers(("x-amz-content-sha256", PayloadHashes.Unsigned)), null).Data);
        Assert.Equal(Content, Decode(new MemoryStream(Content), Headers(), null).Data);
    }

    [Fact]
    public void Decode_ContentMd5Matching_Accepted()
    {
        Assert.Equal(Content, Decode(new MemoryStream(Content), Headers(("Content-MD5", ContentMd5)), null).Data);
    }

    [Fact]
    public void Decode_ContentMd5OfOtherContent_BadDigest()
    {
        var error = DecodeFails(Content, Headers(("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")), null);

        Assert.Equal("BadDigest", error.Code);
        Assert.Equal(400, error.Status);
        Assert.Equal("1B2M2Y8AsgTpgAmY7PhCfg==", error.Details!["ExpectedDigest"]);
        Assert.Equal(ContentMd5, error.Details["CalculatedDigest"]);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("YWJyYWNhZGFicmE=")]
    [InlineData("25f9e794323b453885f5181f1b624d0b")]
    [InlineData("")]
    public void Open_MalformedContentMd5_InvalidDigest(string value)
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(Content), Headers(("Content-MD5", value)), null));

        Assert.Equal("InvalidDigest", error.Code);
        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void Verify_Md5CheckedBeforeSha256()
    {
        var error = DecodeFails(Content, Headers(("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="), ("x-amz-content-sha256", PayloadHashes.Empty)), null);
        Assert.Equal("BadDigest", error.Code);
    }

    [Theory]
    [InlineData("x-amz-checksum-crc32", "CRC32")]
    [InlineData("x-amz-checksum-crc32c", "CRC32C")]
    [InlineData("x-amz-checksum-crc64nvme", "CRC64NVME")]
    [InlineData("x-amz-checksum-sha1", "SHA1")]
    [InlineData("x-amz-checksum-sha256", "SHA256")]
    public void Decode_HeaderChecksum_VerifiedAndReturned(string header, string name)
    {
        Assert.True(Checksum.TryParseName(name, out var algorithm));
        var value = Checksum.Compute(algorithm, Content);

        var (_, checksums) = Decode(new MemoryStream(Content), Headers((header, value), ("x-amz-sdk-checksum-algorithm", name), ("x-amz-content-sha256", Sha256Hex(Content))), null);
        Assert.Equal(new Dictionary<string, string> { [name] = value }, checksums);

        var wrong = Checksum.Compute(algorithm, "987654321"u8);
        var error = DecodeFails(Content, Headers((header, wrong)), null);
        Assert.Equal("BadDigest", error.Code);
        Assert.Equal($"The {name} you specified did not match the calculated checksum.", error.Message);
    }

    [Fact]
    public void Open_HeaderChecksumMalformed_InvalidRequest()
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), Headers(("x-amz-checksum-crc32", "cbf43926")), null));
        Assert.Equal("InvalidRequest", error.Code);
        Assert.Equal("Value for x-amz-checksum-crc32 header is invalid.", error.Message);
    }

    [Fact]
    public void Open_TwoChecksumHeaders_InvalidRequest()
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), Headers(("x-amz-checksum-crc32", "y/Q5Jg=="), ("x-amz-checksum-crc32c", "4waSgw==")), null));
        Assert.Equal("InvalidRequest", error.Code);
        Assert.Contains("single x-amz-checksum-", error.Message);
    }

    [Fact]
    public void Open_HeaderChecksumAndTrailer_InvalidRequest()
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(),
            StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, 9, "x-amz-checksum-crc32c", ("x-amz-checksum-crc32", "y/Q5Jg==")), null));
        Assert.Equal("InvalidRequest", error.Code);
    }

    [Fact]
    public void Open_SdkAlgorithmDisagreesWithTrailer_InvalidRequest()
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(),
            StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, 9, "x-amz-checksum-crc32c", ("x-amz-sdk-checksum-algorithm", "CRC32")), null));
        Assert.Equal("InvalidRequest", error.Code);
        Assert.Contains("x-amz-checksum-crc32c", error.Message);
    }

    [Fact]
    public void Open_SdkAlgorithmDisagreesWithHeader_InvalidRequest()
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), Headers(("x-amz-checksum-crc32", "y/Q5Jg=="), ("x-amz-sdk-checksum-algorithm", "SHA256")), null));
        Assert.Equal("InvalidRequest", error.Code);
    }

    [Fact]
    public void Open_SdkAlgorithmUnknown_InvalidRequest()
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), Headers(("x-amz-checksum-crc32", "y/Q5Jg=="), ("x-amz-sdk-checksum-algorithm", "MD4")), null));
        Assert.Equal("InvalidRequest", error.Code);
        Assert.Contains("[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]", error.Message);
    }

    [Fact]
    public void Open_TrailerThatIsNotAChecksum_InvalidRequest()
    {
        var error = Assert.Throws<S3Exception>(() => RequestBody.Open(new MemoryStream(), StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, 9, "x-amz-meta-color"), null));
        Assert.Equal("InvalidRequest", error.Code);
    }

    [Fact]
    public void Open_OnlyTheAskedForHashesAreComputed()
    {
        using var plain = RequestBody.Open(new MemoryStream(Content), Headers(("x-amz-content-sha256", PayloadHashes.Unsigned)), null);
        Assert.Null(plain.ChecksumAlgorithm);
        using var crc = RequestBody.Open(new MemoryStream(Content), Headers(("x-amz-checksum-crc64nvme", Checksum.Compute(ChecksumAlgorithm.Crc64Nvme, Content))), null);
        Assert.Equal(ChecksumAlgorithm.Crc64Nvme, crc.ChecksumAlgorithm);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("8")]
    public void Decode_PlainBodyLengthDiffersFromContentLength_IncompleteBody(string contentLength)
    {
        Assert.Equal("IncompleteBody", DecodeFails(Content, Headers(("Content-Length", contentLength)), null).Code);
    }

    [Fact]
    public void Open_DeclaredLength_ContentLengthForPlainBody()
    {
        using var body = RequestBody.Open(new MemoryStream(Content), Headers(("Content-Length", "9")), null);
        Assert.Equal(9, body.DeclaredLength);
        using var unknown = RequestBody.Open(new MemoryStream(Content), Headers(), null);
        Assert.Null(unknown.DeclaredLength);
    }

    [Fact]
    public void Verify_BeforeTheEnd_Throws()
    {
        using var body = RequestBody.Open(new MemoryStream(Content), Headers(), null);
        body.Stream.ReadExactly(new byte[4]);
        Assert.Throws<InvalidOperationException>(() => body.Verify());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("aws-chunked", null)]
    [InlineData("AWS-Chunked", null)]
    [InlineData("gzip,aws-chunked", "gzip")]
    [InlineData("gzip, aws-chunked", "gzip")]
    [InlineData("aws-chunked,gzip", "gzip")]
    [InlineData("gzip, br", "gzip, br")]
    [InlineData("gzip", "gzip")]
    [InlineData("aws-chunked, gzip, br", "gzip,br")]
    public void StoredContentEncoding_AwsChunkedRemoved(string? header, string? expected)
    {
        Assert.Equal(expected, RequestBody.StoredContentEncoding(header));
    }
}

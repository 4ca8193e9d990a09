namespace Tandem.Origin.Body;

/// <summary>The errors S3 answers to a body that is malformed or does not match its digests.</summary>
internal static class BodyErrors
{
    public static S3Exception Truncated(string detail) => S3Exception.IncompleteBody("The request body terminated unexpectedly: " + detail);

    public static S3Exception LengthMismatch(long declared, long actual) =>
        S3Exception.IncompleteBody($"The request body has {actual} bytes of object data where x-amz-decoded-content-length (or Content-Length) says {declared}.");

    public static S3Exception Framing(string detail) => S3Exception.InvalidRequest("The aws-chunked request body is malformed: " + detail);

    public static S3Exception MalformedTrailer(string detail) =>
        new("MalformedTrailerError", 400, "The request contained trailing data that was not well-formed or did not conform to our published schema. " + detail);

    public static S3Exception ChunkSignature(string detail) =>
        new("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method. " + detail);

    public static S3Exception InvalidDigest(string value) =>
        new("InvalidDigest", 400, "The Content-MD5 you specified was invalid.") { Details = new Dictionary<string, string> { ["Content-MD5"] = value } };

    public static S3Exception Md5Mismatch(string expected, string calculated) =>
        new("BadDigest", 400, "The Content-MD5 you specified did not match what we received.")
        {
            Details = new Dictionary<string, string> { ["ExpectedDigest"] = expected, ["CalculatedDigest"] = calculated },
        };

    public static S3Exception Sha256Mismatch(string client, string computed) =>
        new("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.")
        {
            Details = new Dictionary<string, string> { ["ClientComputedContentSHA256"] = client, ["S3ComputedContentSHA256"] = computed },
        };

    public static S3Exception ChecksumMismatch(string algorithmName) => S3Exception.BadDigest($"The {algorithmName} you specified did not match the calculated checksum.");

    public static S3Exception SingleChecksum() => S3Exception.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");

    public static S3Exception UnsupportedAlgorithm() =>
        S3Exception.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
}

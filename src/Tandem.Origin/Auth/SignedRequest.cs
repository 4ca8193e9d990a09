namespace Tandem.Origin.Auth;

/// <summary>The parts of an HTTP request that a SigV4 signature covers.</summary>
/// <param name="Method">HTTP method, such as "PUT".</param>
/// <param name="RawPath">The request target's path exactly as on the wire: percent-encoded, not decoded.</param>
/// <param name="RawQuery">The query string as on the wire, without the leading '?'; empty when there is none.</param>
/// <param name="Headers">Every request header; names in any case, and a name may repeat.</param>
public sealed record SignedRequest(string Method, string RawPath, string RawQuery, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>The first value of a header by case-insensitive name, or null.</summary>
    public string? GetHeader(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>What a verified signature established; what aws-chunked bodies need to check their chunks.</summary>
/// <param name="AccessKeyId">The access key that signed the request.</param>
/// <param name="Region">The region of the credential scope.</param>
/// <param name="Scope">The credential scope: <c>date/region/s3/aws4_request</c>.</param>
/// <param name="AmzDate">The request time as signed, <c>yyyyMMddTHHmmssZ</c>.</param>
/// <param name="SeedSignature">The request's signature (hex): the "previous signature" of the first chunk.</param>
/// <param name="SigningKey">The derived SigV4 signing key; do not modify.</param>
/// <param name="PayloadHash">The x-amz-content-sha256 value that was signed, or UNSIGNED-PAYLOAD for a presigned URL.</param>
public sealed record AuthContext(string AccessKeyId, string Region, string Scope, string AmzDate, string SeedSignature, byte[] SigningKey, string PayloadHash)
{
    /// <summary>True when the request was authenticated by a presigned URL rather than the Authorization header.</summary>
    public bool IsPresigned { get; init; }

    // The signing key is as secret as the secret key: keep it out of logs.
    public override string ToString() => $"AuthContext {{ AccessKeyId = {AccessKeyId}, Scope = {Scope}, AmzDate = {AmzDate}, PayloadHash = {PayloadHash} }}";
}

/// <summary>The x-amz-content-sha256 values that are not a hex hash.</summary>
public static class PayloadHashes
{
    public const string Unsigned = "UNSIGNED-PAYLOAD";

    public const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

    public const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>SHA-256 of no bytes, in hex.</summary>
    public const string Empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>True for a 64-character hex SHA-256.</summary>
    public static bool IsHexSha256(string? value)
    {
        if (value is null || value.Length != 64)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for every value a SigV4 (not SigV4a) request may carry.</summary>
    public static bool IsValid(string value) =>
        value is Unsigned or StreamingSigned or StreamingSignedTrailer or StreamingUnsignedTrailer || IsHexSha256(value);
}

using System.Globalization;

namespace Tandem.Origin.Auth;

/// <summary>The errors S3 answers to authentication problems, with S3's codes, messages and extra elements.</summary>
internal static class AuthErrors
{
    public const string OnlySigV4 = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.";

    public static S3Exception SigV2() => S3Exception.InvalidRequest(OnlySigV4 + " (AWS Signature Version 2 is not supported; this server accepts only Signature Version 4.)");

    public static S3Exception SigV4a() => S3Exception.InvalidRequest(
        "AWS4-ECDSA-P256-SHA256 (SigV4a) is not supported; sign requests with AWS4-HMAC-SHA256 (Signature Version 4).");

    public static S3Exception UnsupportedAuthorizationType(string value) =>
        new("InvalidArgument", 400, "Unsupported Authorization Type") { Details = Argument("Authorization", value) };

    public static S3Exception OneMechanism(string value) =>
        new("InvalidArgument", 400, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
        {
            Details = Argument("Authorization", value),
        };

    public static S3Exception HeaderMalformed(string detail, string? region = null) =>
        new("AuthorizationHeaderMalformed", 400, "The authorization header is malformed; " + detail)
        {
            Details = region is null ? null : new Dictionary<string, string> { ["Region"] = region },
        };

    public static S3Exception QueryMalformed(string detail, string? region = null) =>
        new("AuthorizationQueryParametersError", 400, detail)
        {
            Details = region is null ? null : new Dictionary<string, string> { ["Region"] = region },
        };

    public static S3Exception MissingPayloadHash() => S3Exception.InvalidRequest("Missing required header for this request: x-amz-content-sha256");

    public static S3Exception InvalidPayloadHash(string value) =>
        new("InvalidArgument", 400, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
        {
            Details = Argument("x-amz-content-sha256", value),
        };

    public static S3Exception NoDate() => S3Exception.AccessDenied("AWS authentication requires a valid Date or x-amz-date header");

    public static S3Exception HeadersNotSigned(IEnumerable<string> names) =>
        new("AccessDenied", 403, "There were headers present in the request which were not signed")
        {
            Details = new Dictionary<string, string> { ["HeadersNotSigned"] = string.Join(", ", names) },
        };

    public static S3Exception UnknownKey(string accessKeyId) =>
        new("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.")
        {
            Details = new Dictionary<string, string> { ["AWSAccessKeyId"] = accessKeyId },
        };

    /// <summary>
    /// SignatureDoesNotMatch with what the server signed, as S3 sends it: the client can diff the
    /// canonical request against its own. None of it is secret.
    /// </summary>
    public static S3Exception SignatureMismatch(string accessKeyId, string provided, string stringToSign, string? canonicalRequest, string? detail = null)
    {
        var details = new Dictionary<string, string>
        {
            ["AWSAccessKeyId"] = accessKeyId,
            ["StringToSign"] = stringToSign,
            ["SignatureProvided"] = provided,
        };
        if (canonicalRequest is not null)
        {
            details["CanonicalRequest"] = canonicalRequest;
        }

        var message = "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
        return new S3Exception("SignatureDoesNotMatch", 403, detail is null ? message : message + " " + detail) { Details = details };
    }

    public static S3Exception TooSkewed(string requestTime, DateTimeOffset now) =>
        new("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.")
        {
            Details = new Dictionary<string, string>
            {
                ["RequestTime"] = requestTime,
                ["ServerTime"] = Iso(now),
                ["MaxAllowedSkewMilliseconds"] = ((long)SigV4.MaxSkew.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            },
        };

    public static S3Exception Expired(long expiresSeconds, DateTimeOffset expires, DateTimeOffset now) =>
        new("AccessDenied", 403, "Request has expired")
        {
            Details = new Dictionary<string, string>
            {
                ["X-Amz-Expires"] = expiresSeconds.ToString(CultureInfo.InvariantCulture),
                ["Expires"] = Iso(expires),
                ["ServerTime"] = Iso(now),
            },
        };

    public static S3Exception NotYetValid(string amzDate, DateTimeOffset now) =>
        new("AccessDenied", 403, "Request is not yet valid")
        {
            Details = new Dictionary<string, string> { ["X-Amz-Date"] = amzDate, ["ServerTime"] = Iso(now) },
        };

    private static Dictionary<string, string> Argument(string name, string value) =>
        new() { ["ArgumentName"] = name, ["ArgumentValue"] = value };

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

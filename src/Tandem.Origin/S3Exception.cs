namespace Tandem.Origin;

/// <summary>
/// An S3 error as clients expect it: a code they branch on, an HTTP status and a message. Thrown
/// anywhere in the origin and turned into S3's XML error body at the API boundary (or an HTML
/// page on the website endpoint).
/// </summary>
public sealed class S3Exception : Exception
{
    public S3Exception(string code, int status, string message, string? resource = null)
        : base(message)
    {
        Code = code;
        Status = status;
        Resource = resource;
    }

    /// <summary>S3 error code, such as "NoSuchKey".</summary>
    public string Code { get; }

    /// <summary>HTTP status.</summary>
    public int Status { get; }

    /// <summary>The bucket or key the error is about, when known.</summary>
    public string? Resource { get; }

    /// <summary>Extra elements for the XML body (for example Region for AuthorizationHeaderMalformed).</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }

    /// <summary>Response headers that belong with the error (for example Content-Range on a 416).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public static S3Exception NoSuchBucket(string bucket) => new("NoSuchBucket", 404, "The specified bucket does not exist.", bucket);

    public static S3Exception NoSuchKey(string bucket, string key) => new("NoSuchKey", 404, "The specified key does not exist.", $"{bucket}/{key}");

    public static S3Exception NoSuchUpload(string uploadId) => new("NoSuchUpload", 404, "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", uploadId);

    public static S3Exception InvalidArgument(string message) => new("InvalidArgument", 400, message);

    public static S3Exception InvalidRequest(string message) => new("InvalidRequest", 400, message);

    public static S3Exception MalformedXml(string detail) => new("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema: " + detail);

    public static S3Exception AccessDenied(string message = "Access Denied") => new("AccessDenied", 403, message);

    public static S3Exception PreconditionFailed(string condition) => new("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold: " + condition);

    public static S3Exception BadDigest(string message) => new("BadDigest", 400, message);

    public static S3Exception IncompleteBody(string message = "The request body terminated unexpectedly") => new("IncompleteBody", 400, message);

    public static S3Exception InternalError(string message) => new("InternalError", 500, message);

    public static S3Exception NotImplemented(string what) => new("NotImplemented", 501, $"A header or operation you provided implies functionality that is not implemented: {what}");
}

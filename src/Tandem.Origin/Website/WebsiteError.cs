namespace Tandem.Origin.Website;

/// <summary>An error the website endpoint answers with: S3's code, status and message.</summary>
public sealed record WebsiteError(string Code, int Status, string Message)
{
    public static WebsiteError NoSuchBucket { get; } = new("NoSuchBucket", 404, "The specified bucket does not exist");

    /// <summary>Every key of a bucket without website hosting; how a failover drill takes an origin offline.</summary>
    public static WebsiteError NoSuchWebsiteConfiguration { get; } = new("NoSuchWebsiteConfiguration", 404, "The specified bucket does not have a website configuration");

    public static WebsiteError NoSuchKey { get; } = new("NoSuchKey", 404, "The specified key does not exist.");

    public static WebsiteError AccessDenied { get; } = new("AccessDenied", 403, "Access Denied");

    public static WebsiteError MethodNotAllowed { get; } = new("MethodNotAllowed", 405, "The specified method is not allowed against this resource.");

    public static WebsiteError InvalidUri { get; } = new("InvalidURI", 400, "Couldn't parse the specified URI.");

    public static WebsiteError PreconditionFailed { get; } = new("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold");

    public static WebsiteError InvalidRange { get; } = new("InvalidRange", 416, "The requested range is not satisfiable");

    public static WebsiteError InternalError { get; } = new("InternalError", 500, "We encountered an internal error. Please try again.");

    /// <summary>The same error as a store reported it.</summary>
    public static WebsiteError From(S3Exception exception) => new(exception.Code, exception.Status, exception.Message);
}

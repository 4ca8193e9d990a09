using Tandem.Origin.Storage;

namespace Tandem.Origin.Website;

/// <summary>The three things the website endpoint can do with a request.</summary>
public enum WebsiteAction
{
    /// <summary>Send <see cref="WebsiteDecision.Object"/> with <see cref="WebsiteDecision.Status"/>.</summary>
    Serve,

    /// <summary>Answer <see cref="WebsiteDecision.Status"/> (3xx) with <see cref="WebsiteDecision.Location"/>.</summary>
    Redirect,

    /// <summary>Answer with the built-in HTML page for <see cref="WebsiteDecision.Error"/>.</summary>
    Error,
}

/// <summary>
/// What <see cref="WebsiteRouter"/> decided. A Serve with a non-null <see cref="Error"/> is the
/// error document sent with the error's status.
/// </summary>
public readonly record struct WebsiteDecision
{
    public WebsiteAction Action { get; init; }

    public int Status { get; init; }

    /// <summary>Serve: the object whose bytes are sent (the key asked for, its index document, or the error document).</summary>
    public ObjectInfo? Object { get; init; }

    /// <summary>Redirect: the Location value, already percent-encoded.</summary>
    public string? Location { get; init; }

    /// <summary>Error, or Serve of the error document: what went wrong.</summary>
    public WebsiteError? Error { get; init; }

    /// <summary>The key an error is about (after the index document was appended), when there is one.</summary>
    public string? Key { get; init; }

    /// <summary>The bucket an error is about, for bucket-level errors.</summary>
    public string? BucketName { get; init; }

    /// <summary>A configured error document that does not exist; the built-in page then says so.</summary>
    public string? MissingErrorDocument { get; init; }

    public static WebsiteDecision Serve(ObjectInfo info) => new() { Action = WebsiteAction.Serve, Status = 200, Object = info, Key = info.Key };

    public static WebsiteDecision Redirect(int status, string location) => new() { Action = WebsiteAction.Redirect, Status = status, Location = location };

    public static WebsiteDecision Fail(WebsiteError error, string? key = null, string? bucketName = null) =>
        new() { Action = WebsiteAction.Error, Status = error.Status, Error = error, Key = key, BucketName = bucketName };

    /// <summary>The error document's bytes with the error's status.</summary>
    public static WebsiteDecision ServeErrorDocument(ObjectInfo document, WebsiteError error, string key) =>
        new() { Action = WebsiteAction.Serve, Status = error.Status, Object = document, Error = error, Key = key };
}

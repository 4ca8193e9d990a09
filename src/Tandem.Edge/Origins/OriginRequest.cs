namespace Tandem.Edge.Origins;

/// <summary>
/// A request to send to an origin group. The host chooses the headers (validators for a
/// revalidation, Range, Accept-Encoding); the fetcher adds the origin path and sets Host per origin.
/// </summary>
public sealed record OriginRequest
{
    public required HttpMethod Method { get; init; }

    /// <summary>Path and query as the visitor sent them, already escaped, starting with '/'.</summary>
    public required string PathAndQuery { get; init; }

    /// <summary>
    /// The release to fetch from: each origin puts its own "/P releases/ID" before
    /// <see cref="PathAndQuery"/>. Null fetches from the bucket root, as before releases.
    /// </summary>
    public string? Release { get; init; }

    /// <summary>True when <see cref="PathAndQuery"/> names one of Tandem's records ("/_tandem/live.json"), which sits under each origin's prefix.</summary>
    public bool UnderPrefix { get; init; }

    /// <summary>
    /// Headers to forward; a name may appear more than once. Host and hop-by-hop headers
    /// (Connection, Keep-Alive, Transfer-Encoding, TE, Upgrade, Proxy-Connection) are left out.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>X-Forwarded-For value to send, or null for none.</summary>
    public string? ForwardedFor { get; init; }

    /// <summary>Via value to send, such as "1.1 edge-a (Tandem)", or null for none.</summary>
    public string? Via { get; init; }

    /// <summary>
    /// Request body, for methods that carry one. It can be sent once only, so a request with a
    /// body goes to one origin and is never retried, whatever its method.
    /// </summary>
    public HttpContent? Content { get; init; }
}

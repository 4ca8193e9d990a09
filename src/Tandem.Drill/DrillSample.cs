namespace Tandem.Drill;

/// <summary>
/// One request of the drill's load and what came back. Times are milliseconds on the drill's own
/// monotonic clock (since the load started), so scenario windows compare without wall-clock jumps.
/// </summary>
/// <param name="Path">The site path asked for, without the drill's query string.</param>
/// <param name="Uncached">True for a request with a unique query string, which the edge must fetch from an origin.</param>
/// <param name="SentMs">When the request was sent.</param>
/// <param name="LatencyMs">Until the whole response was read, or the request failed.</param>
/// <param name="Status">HTTP status; null when no response came.</param>
/// <param name="Cache">The edge's X-Cache header.</param>
/// <param name="Origin">The edge's X-Tandem-Origin header: the origin that answered or stored the response.</param>
/// <param name="Failure">Why no response came (refused, reset, timed out); null when one did.</param>
/// <param name="ErrorPage">True when the body is the site's own error page (the body of /404.html).</param>
/// <param name="ExpectedStatus">The status the path answered before any fault.</param>
public sealed record DrillSample(
    string Path,
    bool Uncached,
    double SentMs,
    double LatencyMs,
    int? Status,
    string? Cache,
    string? Origin,
    string? Failure,
    bool ErrorPage,
    int ExpectedStatus)
{
    public double CompletedMs => SentMs + LatencyMs;
}

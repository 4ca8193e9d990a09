using System.Diagnostics.Metrics;

namespace Tandem.Edge.Serving;

/// <summary>
/// The edge's own instruments (the origin instruments live in Origins/OriginMetrics), all on the
/// edge's Meter, exported at /metrics. Labels are low-cardinality: status class and cache result.
/// </summary>
public sealed class EdgeMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _bytes;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _fastHits;

    public EdgeMetrics(Meter meter, Func<long> cacheBytes, Func<long> cacheEntries, Func<long> cacheHits, Func<long> cacheMisses)
    {
        _requests = meter.CreateCounter<long>("tandem_edge_requests_total", description: "Visitor requests by status class and cache result.");
        _bytes = meter.CreateCounter<long>("tandem_edge_response_bytes_total", description: "Body bytes sent to visitors.");
        _duration = meter.CreateHistogram<double>("tandem_edge_request_duration_seconds", description: "Time to answer a visitor request.");
        _fastHits = meter.CreateCounter<long>("tandem_edge_fast_path_requests_total", description: "Cache hits answered below Kestrel's HTTP layer; also counted in tandem_edge_requests_total.");
        meter.CreateObservableGauge("tandem_edge_cache_bytes", cacheBytes, description: "Bytes held by the cache.");
        meter.CreateObservableGauge("tandem_edge_cache_entries", cacheEntries, description: "Entries in the cache.");
        meter.CreateObservableCounter("tandem_edge_cache_lookups_total", () => new[]
        {
            new Measurement<long>(cacheHits(), new KeyValuePair<string, object?>("result", "hit")),
            new Measurement<long>(cacheMisses(), new KeyValuePair<string, object?>("result", "miss")),
        }, description: "Cache lookups by result.");
    }

    public void Request(int status, string cache, long bytes, TimeSpan elapsed)
    {
        var statusClass = status switch { < 200 => "1xx", < 300 => "2xx", < 400 => "3xx", < 500 => "4xx", _ => "5xx" };
        _requests.Add(1, new KeyValuePair<string, object?>("status", statusClass), new KeyValuePair<string, object?>("cache", cache));
        _bytes.Add(bytes);
        _duration.Record(elapsed.TotalSeconds);
    }

    /// <summary>A fresh hit answered by the connection fast path (besides <see cref="Request"/>).</summary>
    public void FastHit() => _fastHits.Add(1);
}

using System.Globalization;
using Tandem.Core.Metrics;

namespace Tandem.Monitor.Scraping;

/// <summary>A value of one metric for one node (null: the total) over the scrape interval it covers.</summary>
/// <param name="Labels">Canonical labels such as "origin=primary", or "".</param>
/// <param name="Span">Seconds the value covers: a per-second rate times its span is a count.</param>
public sealed record DerivedPoint(string Metric, string? Node, string Labels, double Value, double Span);

/// <summary>
/// Turns the raw tandem_* counters into CloudFront's metrics (Requests, error rates, cache hit
/// rate, origin latency percentiles) and Tandem's own (failovers, releases, origin health, DNS
/// answers, certificate expiry).
/// Pure: counter growth in, points out.
/// </summary>
public static class MetricDerivation
{
    public const string EdgeRequests = "tandem_edge_requests_total";
    public const string EdgeBytes = "tandem_edge_response_bytes_total";
    public const string EdgeFailovers = "tandem_edge_failovers_total";
    public const string EdgeOriginLatency = "tandem_edge_origin_latency_seconds";
    public const string EdgeOriginHealthy = "tandem_edge_origin_healthy";
    public const string EdgeRelease = "tandem_edge_release_info";
    public const string EdgeCertificateExpiry = "tandem_edge_certificate_expiry_seconds";
    public const string DnsAnswers = "tandem_dns_answers_total";

    /// <summary>CertificateExpiryDays is the edge's gauge in seconds over this.</summary>
    public const double SecondsPerDay = 86400;

    // CloudFront counts hits over cacheable requests; errors, redirects and aborted requests are not.
    private static readonly string[] CacheableResults = ["Hit", "RefreshHit", "Miss"];
    private static readonly string[] Hits = ["Hit", "RefreshHit"];

    /// <summary>Metrics kept as per-second rates; their Sum statistic is a count (rate x span).</summary>
    public static bool IsRate(string metric) =>
        metric is MonitorMetrics.Requests or MonitorMetrics.BytesDownloaded or MonitorMetrics.Failovers or MonitorMetrics.DnsAnswers;

    /// <summary>
    /// The CDN metrics of the edges in <paramref name="deltas"/> together: per edge with one delta,
    /// the total with all. Rates add up per edge; percentages and percentiles come from the summed counts.
    /// </summary>
    /// <remarks>
    /// Releases is a count, not a rate: <see cref="EdgeRelease"/> is 1 for the live release's label,
    /// so a release made live since the previous scrape is a new series, all of whose 1 is growth,
    /// while the same release stays at 0 growth (an edge restarted on it too).
    /// </remarks>
    public static IEnumerable<DerivedPoint> Edge(string? node, IReadOnlyList<NodeDelta> deltas)
    {
        if (deltas.Count == 0)
        {
            return [];
        }

        var points = new List<DerivedPoint>();
        var span = deltas.Average(d => d.Seconds);
        double Rate(Func<NodeDelta, double> f) => deltas.Sum(d => d.Seconds > 0 ? f(d) / d.Seconds : 0);
        double Total(Func<NodeDelta, double> f) => deltas.Sum(f);

        points.Add(new(MonitorMetrics.Requests, node, "", Rate(d => d.Sum(EdgeRequests)), span));
        points.Add(new(MonitorMetrics.BytesDownloaded, node, "", Rate(d => d.Sum(EdgeBytes)), span));

        var requests = Total(d => d.Sum(EdgeRequests));
        if (requests > 0)
        {
            var e4 = Total(d => d.Sum(EdgeRequests, s => s.Label("status") == "4xx"));
            var e5 = Total(d => d.Sum(EdgeRequests, s => s.Label("status") == "5xx"));
            points.Add(new(MonitorMetrics.ErrorRate4xx, node, "", 100 * e4 / requests, span));
            points.Add(new(MonitorMetrics.ErrorRate5xx, node, "", 100 * e5 / requests, span));
            points.Add(new(MonitorMetrics.TotalErrorRate, node, "", 100 * (e4 + e5) / requests, span));
        }

        var cacheable = Total(d => d.Sum(EdgeRequests, s => CacheableResults.Contains(s.Label("cache"))));
        if (cacheable > 0)
        {
            var hits = Total(d => d.Sum(EdgeRequests, s => Hits.Contains(s.Label("cache"))));
            points.Add(new(MonitorMetrics.CacheHitRate, node, "", 100 * hits / cacheable, span));
        }

        var buckets = deltas.SelectMany(d => d.Growth)
            .Where(s => s.Name == EdgeOriginLatency + "_bucket" && s.Label("le") is not null)
            .GroupBy(s => ParseLe(s.Label("le")!))
            .Select(g => (Le: g.Key, Count: g.Sum(s => s.Value)))
            .OrderBy(b => b.Le)
            .ToList();
        foreach (var (metric, q) in new[] { (MonitorMetrics.OriginLatencyP50, 0.5), (MonitorMetrics.OriginLatencyP90, 0.9), (MonitorMetrics.OriginLatencyP99, 0.99) })
        {
            if (Quantile(q, buckets) is { } seconds)
            {
                points.Add(new(metric, node, "", seconds * 1000, span));
            }
        }

        points.Add(new(MonitorMetrics.Releases, node, "", Total(d => d.Sum(EdgeRelease)), span));

        foreach (var origin in deltas.SelectMany(d => d.Growth).Where(s => s.Name == EdgeFailovers).Select(s => s.Label("origin") ?? "").Distinct(StringComparer.Ordinal))
        {
            points.Add(new(MonitorMetrics.Failovers, node, "origin=" + origin, Rate(d => d.Sum(EdgeFailovers, s => s.Label("origin") == origin)), span));
        }

        return points;
    }

    /// <summary>
    /// The metrics read from each edge's current gauges rather than from growth: OriginHealthy per
    /// origin and CertificateExpiryDays per certificate name. With several edges each is the
    /// minimum over them: healthy on every edge, the soonest expiry.
    /// </summary>
    public static IEnumerable<DerivedPoint> Gauges(string? node, IEnumerable<IReadOnlyList<PrometheusSample>> samples, double span)
    {
        var all = samples.SelectMany(s => s).ToList();
        IEnumerable<DerivedPoint> Minimum(string gauge, string label, string metric, double scale) =>
            all.Where(s => s.Name == gauge)
                .GroupBy(s => s.Label(label) ?? "", StringComparer.Ordinal)
                .Select(g => new DerivedPoint(metric, node, label + "=" + g.Key, g.Min(s => s.Value) * scale, span));

        return Minimum(EdgeOriginHealthy, "origin", MonitorMetrics.OriginHealthy, 1)
            .Concat(Minimum(EdgeCertificateExpiry, "name", MonitorMetrics.CertificateExpiryDays, 1 / SecondsPerDay));
    }

    /// <summary>DnsAnswers per target per second, from one or more DNS nodes.</summary>
    public static IEnumerable<DerivedPoint> Dns(string? node, IReadOnlyList<NodeDelta> deltas)
    {
        if (deltas.Count == 0)
        {
            return [];
        }

        var span = deltas.Average(d => d.Seconds);
        return deltas.SelectMany(d => d.Growth.Where(s => s.Name == DnsAnswers).Select(s => (Target: s.Label("target") ?? "", Rate: d.Seconds > 0 ? s.Value / d.Seconds : 0)))
            .GroupBy(x => x.Target, StringComparer.Ordinal)
            .Select(g => new DerivedPoint(MonitorMetrics.DnsAnswers, node, "target=" + g.Key, g.Sum(x => x.Rate), span));
    }

    /// <summary>
    /// The <paramref name="q"/> quantile of cumulative histogram buckets, interpolated linearly
    /// inside the bucket as Prometheus's histogram_quantile does; null with no observations.
    /// </summary>
    public static double? Quantile(double q, IReadOnlyList<(double Le, double Count)> cumulative)
    {
        if (cumulative.Count == 0 || cumulative[^1].Count <= 0)
        {
            return null;
        }

        var total = cumulative[^1].Count;
        var rank = q * total;
        double lowerBound = 0, lowerCount = 0;
        foreach (var (le, count) in cumulative)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(le))
                {
                    // Above the highest finite bucket: its bound is the best known answer.
                    return lowerBound;
                }

                var inBucket = count - lowerCount;
                return inBucket <= 0 ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount) / inBucket);
            }

            lowerBound = le;
            lowerCount = count;
        }

        return lowerBound;
    }

    private static double ParseLe(string le) =>
        le == "+Inf" ? double.PositiveInfinity : double.Parse(le, NumberStyles.Float, CultureInfo.InvariantCulture);
}

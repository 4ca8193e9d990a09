using Tandem.Core.Stack;

namespace Tandem.Monitor;

/// <summary>
/// What the monitor knows, as the dashboard (and `tandem alarms`) read it. The scraping and
/// alarm side implements it; the dashboard only reads through it, so each can be built and
/// tested on its own.
/// </summary>
public interface IMonitorReadModel
{
    /// <summary>
    /// Points of one metric between <paramref name="from"/> and <paramref name="to"/>, one series
    /// per node (and a total series with Node null when <paramref name="node"/> is null), at most
    /// one point per <paramref name="step"/>. Metric names are those of <see cref="MonitorMetrics"/>.
    /// </summary>
    IReadOnlyList<MetricSeries> Query(string metric, string? node, DateTimeOffset from, DateTimeOffset to, TimeSpan step);

    /// <summary>The state of everything right now.</summary>
    MonitorSnapshot Current();
}

/// <summary>The metric names the monitor keeps, CloudFront's and Tandem's own.</summary>
public static class MonitorMetrics
{
    public const string Requests = "Requests";                  // requests per second
    public const string BytesDownloaded = "BytesDownloaded";    // bytes per second
    public const string ErrorRate4xx = "4xxErrorRate";          // percent of requests
    public const string ErrorRate5xx = "5xxErrorRate";          // percent of requests
    public const string TotalErrorRate = "TotalErrorRate";      // percent of requests
    public const string CacheHitRate = "CacheHitRate";          // percent of cacheable requests
    public const string OriginLatencyP50 = "OriginLatencyP50";  // milliseconds
    public const string OriginLatencyP90 = "OriginLatencyP90";  // milliseconds
    public const string OriginLatencyP99 = "OriginLatencyP99";  // milliseconds
    public const string Failovers = "Failovers";                // failovers per second, per origin in Labels["origin"]
    public const string OriginHealthy = "OriginHealthy";        // 1 or 0, per origin in Labels["origin"]
    public const string DnsAnswers = "DnsAnswers";              // answers per second, per target in Labels["target"]
    public const string CertificateExpiryDays = "CertificateExpiryDays"; // days until the served certificate's notAfter, per name in Labels["name"]
    public const string Releases = "Releases";                  // releases made live since the previous scrape: per edge 0 or 1, the total adds the edges up

    public static readonly IReadOnlyList<string> All =
        [Requests, BytesDownloaded, ErrorRate4xx, ErrorRate5xx, TotalErrorRate, CacheHitRate, OriginLatencyP50, OriginLatencyP90, OriginLatencyP99, Failovers, OriginHealthy, DnsAnswers, CertificateExpiryDays, Releases];
}

/// <summary>One line of a chart.</summary>
public sealed record MetricSeries(string Metric, string? Node, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<MetricPoint> Points);

public readonly record struct MetricPoint(DateTimeOffset At, double Value);

/// <summary>Everything the dashboard draws besides charts.</summary>
public sealed record MonitorSnapshot
{
    public required DateTimeOffset Taken { get; init; }

    /// <summary>When the last scrape round finished; null before the first.</summary>
    public DateTimeOffset? LastScrape { get; init; }

    public TimeSpan ScrapeInterval { get; init; }

    /// <summary>Every scraped node and whether its last scrape worked.</summary>
    public IReadOnlyList<NodeState> Nodes { get; init; } = [];

    /// <summary>Each origin group as each edge sees it.</summary>
    public IReadOnlyList<OriginGroupState> OriginGroups { get; init; } = [];

    public IReadOnlyList<AlarmView> Alarms { get; init; } = [];

    /// <summary>The live release id per edge (null: none).</summary>
    public IReadOnlyDictionary<string, string?> LiveRelease { get; init; } = new Dictionary<string, string?>();

    /// <summary>Days until the soonest notAfter of the HTTPS certificate each edge serves (null: no HTTPS).</summary>
    public IReadOnlyDictionary<string, double?> CertificateExpiryDays { get; init; } = new Dictionary<string, double?>();

    /// <summary>Recent drills, newest first.</summary>
    public IReadOnlyList<DrillReport> Drills { get; init; } = [];
}

/// <param name="Role">edge, origin, dns or monitor.</param>
public sealed record NodeState(string Role, string Name, string Url, bool Up, string? Error);

/// <param name="Edge">The edge that sees the group this way.</param>
/// <param name="ServingFrom">The first healthy origin in order, or null when none is healthy.</param>
public sealed record OriginGroupState(string Edge, string Group, IReadOnlyList<OriginView> Origins, string? ServingFrom);

public sealed record OriginView(string Name, string? Region, bool Healthy);

/// <param name="State">OK, ALARM or INSUFFICIENT_DATA.</param>
public sealed record AlarmView(string Name, string Metric, string State, string Reason, DateTimeOffset Since, string Description);

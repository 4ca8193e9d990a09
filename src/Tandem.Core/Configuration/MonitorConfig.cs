namespace Tandem.Core.Configuration;

/// <summary>
/// <c>tandem monitor</c>: scrapes every node's /metrics, keeps the series in SQLite and
/// evaluates alarms with CloudWatch's semantics. Omitted: no monitor runs.
/// </summary>
public sealed record MonitorConfig
{
    /// <summary>Monitor nodes by name; start one with <c>tandem monitor NAME</c>.</summary>
    public Dictionary<string, MonitorNodeConfig> Nodes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Milliseconds between scrapes of every node. Default 10000.</summary>
    public int ScrapeIntervalMs { get; init; } = 10000;

    /// <summary>Hours of points kept; older ones are deleted. Default 25 (a day and an hour).</summary>
    public int RetentionHours { get; init; } = 25;

    /// <summary>Alarms by name. Empty: <see cref="DefaultAlarms"/>.</summary>
    public Dictionary<string, AlarmConfig> Alarms { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The metric names an alarm can watch (the monitor's MonitorMetrics.All).</summary>
    public static readonly IReadOnlyList<string> MetricNames =
        ["Requests", "BytesDownloaded", "4xxErrorRate", "5xxErrorRate", "TotalErrorRate", "CacheHitRate", "OriginLatencyP50", "OriginLatencyP90", "OriginLatencyP99", "Failovers", "OriginHealthy", "DnsAnswers", "CertificateExpiryDays", "Releases"];

    /// <summary>The alarms that run: the configured ones, else the defaults.</summary>
    public IReadOnlyDictionary<string, AlarmConfig> EffectiveAlarms => Alarms.Count > 0 ? Alarms : DefaultAlarms;

    /// <summary>
    /// The reference setup's alarm on the 5xx error rate (5-minute periods, 2 of 2, above 5%), one
    /// on any failover and one on an HTTPS certificate that expires in less than 14 days (its
    /// renewal failed), all logged.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, AlarmConfig> DefaultAlarms = new Dictionary<string, AlarmConfig>(StringComparer.Ordinal)
    {
        ["edge-5xx-rate"] = new()
        {
            Metric = "5xxErrorRate",
            Statistic = "Average",
            PeriodSeconds = 300,
            EvaluationPeriods = 2,
            DatapointsToAlarm = 2,
            Threshold = 5,
            Comparison = "GreaterThanThreshold",
            TreatMissingData = "notBreaching",
            Description = "More than 5% of visitor requests answered 5xx in two 5-minute periods in a row.",
            Actions = [new AlarmActionConfig { Log = true }],
        },
        ["origin-failovers"] = new()
        {
            Metric = "Failovers",
            Statistic = "Sum",
            PeriodSeconds = 60,
            EvaluationPeriods = 1,
            DatapointsToAlarm = 1,
            Threshold = 0,
            Comparison = "GreaterThanThreshold",
            TreatMissingData = "notBreaching",
            Description = "An edge sent requests on to the next origin of a group in the last minute.",
            Actions = [new AlarmActionConfig { Log = true }],
        },
        ["certificate-expiry"] = new()
        {
            // The soonest expiry over every edge and name; an edge without HTTPS has no series.
            Metric = "CertificateExpiryDays",
            Statistic = "Minimum",
            PeriodSeconds = 300,
            EvaluationPeriods = 1,
            DatapointsToAlarm = 1,
            Threshold = 14,
            Comparison = "LessThanThreshold",
            TreatMissingData = "notBreaching",
            Description = "An edge serves an HTTPS certificate that expires in less than 14 days: its renewal is failing.",
            Actions = [new AlarmActionConfig { Log = true }],
        },
    };
}

/// <summary>One monitor node.</summary>
public sealed record MonitorNodeConfig
{
    /// <summary>HTTP listener for the dashboard, /metrics, /healthz and /api/alarms. Default "127.0.0.1:9090".</summary>
    public string Listen { get; init; } = "127.0.0.1:9090";

    /// <summary>SQLite file of points and alarm history, relative to the config file. Default ".tandem/monitor/NAME.db".</summary>
    public string? StorePath { get; init; }
}

/// <summary>A CloudWatch-style metric alarm.</summary>
public sealed record AlarmConfig
{
    /// <summary>One of the monitor's metric names, such as "5xxErrorRate" or "Failovers".</summary>
    public string Metric { get; init; } = "";

    /// <summary>Average, Sum, Maximum, Minimum or SampleCount. Default Average.</summary>
    public string Statistic { get; init; } = "Average";

    /// <summary>An edge's name (or a DNS node's, for DnsAnswers); null: the total over every node.</summary>
    public string? Node { get; init; }

    /// <summary>Seconds per datapoint: 10, 20, 30 or a multiple of 60. Default 60.</summary>
    public int PeriodSeconds { get; init; } = 60;

    /// <summary>N: how many recent datapoints are evaluated. Default 1.</summary>
    public int EvaluationPeriods { get; init; } = 1;

    /// <summary>M: how many of them must breach for ALARM. Default EvaluationPeriods.</summary>
    public int? DatapointsToAlarm { get; init; }

    public double Threshold { get; init; }

    /// <summary>GreaterThanThreshold (default), GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold.</summary>
    public string Comparison { get; init; } = "GreaterThanThreshold";

    /// <summary>missing (default), notBreaching, breaching or ignore.</summary>
    public string TreatMissingData { get; init; } = "missing";

    public string Description { get; init; } = "";

    /// <summary>What runs when the alarm enters or leaves ALARM.</summary>
    public List<AlarmActionConfig> Actions { get; init; } = [];
}

/// <summary>One action: exactly one of webhook, log or command.</summary>
public sealed record AlarmActionConfig
{
    /// <summary>URL that gets a POST with a JSON body {alarm, oldState, newState, reason, values, at}.</summary>
    public string? Webhook { get; init; }

    /// <summary>True: write the change to the monitor's log at warning level.</summary>
    public bool? Log { get; init; }

    /// <summary>A shell command (/bin/sh -c) run with TANDEM_ALARM, TANDEM_ALARM_OLD_STATE, TANDEM_ALARM_STATE, TANDEM_ALARM_REASON set.</summary>
    public string? Command { get; init; }

    /// <summary>Milliseconds a webhook or command may take. Default 10000.</summary>
    public int TimeoutMs { get; init; } = 10000;
}

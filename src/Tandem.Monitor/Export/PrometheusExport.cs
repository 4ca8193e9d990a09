using System.Globalization;
using System.Text;
using Tandem.Core.Configuration;
using Tandem.Monitor.Alarms;
using Tandem.Monitor.Scraping;

namespace Tandem.Monitor.Export;

/// <summary>
/// <c>tandem monitor --export-prometheus DIR</c>: a Prometheus scrape config for every node and
/// alerting rules equivalent to the configured alarms, over the raw tandem_* metrics, for users
/// who already run Prometheus and Alertmanager.
/// </summary>
/// <remarks>
/// Equivalence: a period becomes the range of rate()/increase()/*_over_time(); "M out of N" with
/// M = N becomes <c>for: (N-1) x period</c>, and with M &lt; N a subquery counting breaching
/// periods. Prometheus has no missing-data treatment: a rule with no data does not fire, which is
/// notBreaching.
/// </remarks>
public static class PrometheusExport
{
    public const string ConfigFile = "prometheus.yml";
    public const string RulesFile = "rules.yml";

    /// <summary>Writes both files into <paramref name="dir"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(TandemConfig config, string dir)
    {
        Directory.CreateDirectory(dir);
        var configPath = Path.Combine(dir, ConfigFile);
        var rulesPath = Path.Combine(dir, RulesFile);
        File.WriteAllText(configPath, ScrapeConfig(config));
        File.WriteAllText(rulesPath, Rules(config.Monitor.EffectiveAlarms));
        return [configPath, rulesPath];
    }

    public static string ScrapeConfig(TandemConfig config)
    {
        var interval = Duration(TimeSpan.FromMilliseconds(config.Monitor.ScrapeIntervalMs));
        var sb = new StringBuilder();
        sb.Append("# Written by `tandem monitor --export-prometheus`: every node of the Tandem config.\n");
        sb.Append("global:\n");
        sb.Append($"  scrape_interval: {interval}\n");
        sb.Append($"  evaluation_interval: {interval}\n");
        sb.Append($"rule_files:\n  - {RulesFile}\n");
        sb.Append("scrape_configs:\n");
        foreach (var role in MonitorOptions.TargetsOf(config).GroupBy(t => t.Role))
        {
            foreach (var path in role.GroupBy(t => t.Url.AbsolutePath))
            {
                sb.Append($"  - job_name: tandem-{role.Key}{(role.Select(t => t.Url.AbsolutePath).Distinct().Count() > 1 ? path.Key.Replace('/', '-') : "")}\n");
                sb.Append($"    metrics_path: {path.Key}\n");
                sb.Append("    static_configs:\n");
                foreach (var t in path)
                {
                    sb.Append($"      - targets: ['{t.Url.Authority}']\n");
                    sb.Append($"        labels: {{ node: '{t.Name}', role: '{t.Role}' }}\n");
                }
            }
        }

        return sb.ToString();
    }

    public static string Rules(IReadOnlyDictionary<string, AlarmConfig> alarms)
    {
        var sb = new StringBuilder();
        sb.Append("# Written by `tandem monitor --export-prometheus`: the Tandem config's alarms as alerting rules.\n");
        sb.Append("groups:\n  - name: tandem\n    rules:\n");
        foreach (var (name, alarm) in alarms)
        {
            var definition = new AlarmDefinition(name, alarm);
            var expr = Expression(alarm);
            var op = alarm.Comparison switch
            {
                "GreaterThanOrEqualToThreshold" => ">=",
                "LessThanThreshold" => "<",
                "LessThanOrEqualToThreshold" => "<=",
                _ => ">",
            };
            var threshold = alarm.Threshold.ToString("R", CultureInfo.InvariantCulture);
            var period = Duration(definition.Period);
            string rule;
            string? forDuration = null;
            if (definition.M == definition.N)
            {
                rule = $"({expr}) {op} {threshold}";
                if (definition.N > 1)
                {
                    forDuration = Duration(definition.Period * (definition.N - 1));
                }
            }
            else
            {
                rule = $"sum_over_time((({expr}) {op} bool {threshold})[{Duration(definition.Period * definition.N)}:{period}]) >= {definition.M}";
            }

            sb.Append($"      - alert: {AlertName(name)}\n");
            sb.Append($"        expr: {Quote(rule)}\n");
            if (forDuration is not null)
            {
                sb.Append($"        for: {forDuration}\n");
            }

            sb.Append($"        labels:\n          alarm: {Quote(name)}\n          metric: {Quote(alarm.Metric)}\n");
            sb.Append($"        annotations:\n          summary: {Quote($"{alarm.Metric} {alarm.Statistic} {op} {threshold} over {period}, {definition.M} of {definition.N}")}\n");
            if (alarm.Description.Length > 0)
            {
                sb.Append($"          description: {Quote(alarm.Description)}\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>The PromQL for one period's statistic of the alarm's metric.</summary>
    public static string Expression(AlarmConfig alarm)
    {
        var p = Duration(TimeSpan.FromSeconds(alarm.PeriodSeconds));
        var node = alarm.Node is { } n ? $"node=\"{n}\"" : "";
        string Sel(string metric, string extra = "") => $"{metric}{{{string.Join(",", new[] { node, extra }.Where(x => x.Length > 0))}}}";
        string Counter(string metric) => alarm.Statistic == "Sum" ? $"sum(increase({Sel(metric)}[{p}]))" : $"sum(rate({Sel(metric)}[{p}]))";
        string Percent(string part) => $"100 * sum(rate({Sel(MetricDerivation.EdgeRequests, part)}[{p}])) / sum(rate({Sel(MetricDerivation.EdgeRequests)}[{p}]))";
        string Latency(double q) => $"1000 * histogram_quantile({q.ToString(CultureInfo.InvariantCulture)}, sum by (le) (rate({Sel(MetricDerivation.EdgeOriginLatency + "_bucket")}[{p}])))";
        var overTime = alarm.Statistic switch { "Sum" => "sum", "Maximum" => "max", "Minimum" => "min", "SampleCount" => "count", _ => "avg" };

        // A gauge's statistic over the period, then over every series (each edge, each label).
        string Gauge(string metric) => $"{(overTime == "count" ? "sum" : overTime)}({overTime}_over_time({Sel(metric)}[{p}]))";

        return alarm.Metric switch
        {
            "Requests" => Counter(MetricDerivation.EdgeRequests),
            "BytesDownloaded" => Counter(MetricDerivation.EdgeBytes),
            "Failovers" => Counter(MetricDerivation.EdgeFailovers),
            "DnsAnswers" => Counter(MetricDerivation.DnsAnswers),
            "4xxErrorRate" => Percent("status=\"4xx\""),
            "5xxErrorRate" => Percent("status=\"5xx\""),
            "TotalErrorRate" => Percent("status=~\"4xx|5xx\""),
            "CacheHitRate" => $"100 * sum(rate({Sel(MetricDerivation.EdgeRequests, "cache=~\"Hit|RefreshHit\"")}[{p}])) / sum(rate({Sel(MetricDerivation.EdgeRequests, "cache=~\"Hit|RefreshHit|Miss\"")}[{p}]))",
            "OriginLatencyP50" => Latency(0.5),
            "OriginLatencyP90" => Latency(0.9),
            "OriginLatencyP99" => Latency(0.99),
            "OriginHealthy" => Gauge(MetricDerivation.EdgeOriginHealthy),
            "CertificateExpiryDays" => $"{Gauge(MetricDerivation.EdgeCertificateExpiry)} / {MetricDerivation.SecondsPerDay.ToString(CultureInfo.InvariantCulture)}",

            // Releases made live in the period: (edge, release) series seen in it that were not there a period ago.
            "Releases" => $"count(max by (node, release) (max_over_time({Sel(MetricDerivation.EdgeRelease)}[{p}])) unless max by (node, release) ({Sel(MetricDerivation.EdgeRelease)} offset {p}))",
            _ => throw new ArgumentException($"no PromQL for metric '{alarm.Metric}'", nameof(alarm)),
        };
    }

    /// <summary>An alert name Prometheus accepts (a metric-name-like identifier): "edge-5xx-rate" → "TandemEdge5xxRate".</summary>
    public static string AlertName(string alarm) =>
        "Tandem" + string.Concat(alarm.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    private static string Duration(TimeSpan t) =>
        t.TotalMilliseconds % 1000 != 0 ? $"{(long)t.TotalMilliseconds}ms" : t.TotalSeconds % 60 != 0 ? $"{(long)t.TotalSeconds}s" : $"{(long)t.TotalMinutes}m";

    private static string Quote(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
}

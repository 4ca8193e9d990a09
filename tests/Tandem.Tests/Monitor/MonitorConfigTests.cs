using Tandem.Core.Configuration;
using Tandem.Monitor;
using Tandem.Monitor.Export;

namespace Tandem.Tests.Monitor;

public sealed class MonitorConfigTests
{
    private static string Config(string monitor) => $$"""
        {
          "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:9001" } },
          "edges": { "edge-1": { "adminToken": { "env": "T" } } },
          "monitor": {{monitor}}
        }
        """;

    private static IReadOnlyList<ConfigError> Errors(string monitor) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Config(monitor), "/t/tandem.json")).Errors;

    [Fact]
    public void MetricNames_AreTheMonitorsMetrics() => Assert.Equal(MonitorMetrics.All, MonitorConfig.MetricNames);

    [Fact]
    public void NoAlarms_GivesTheDefaults_AndNodeDefaults()
    {
        var loaded = ConfigLoader.Parse(Config("""{ "nodes": { "mon-1": {} } }"""), "/t/tandem.json");
        var alarms = loaded.Config.Monitor.EffectiveAlarms;
        Assert.Equal(["certificate-expiry", "edge-5xx-rate", "origin-failovers"], alarms.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((300, 2, 2, 5.0, "notBreaching"), (alarms["edge-5xx-rate"].PeriodSeconds, alarms["edge-5xx-rate"].EvaluationPeriods, alarms["edge-5xx-rate"].DatapointsToAlarm, alarms["edge-5xx-rate"].Threshold, alarms["edge-5xx-rate"].TreatMissingData));
        var certificate = alarms["certificate-expiry"];
        Assert.Equal(("CertificateExpiryDays", "Minimum", 300, 1, 1, 14.0, "LessThanThreshold", "notBreaching"),
            (certificate.Metric, certificate.Statistic, certificate.PeriodSeconds, certificate.EvaluationPeriods, certificate.DatapointsToAlarm, certificate.Threshold, certificate.Comparison, certificate.TreatMissingData));
        Assert.All(alarms.Values, a => Assert.True(Assert.Single(a.Actions).Log));

        var options = MonitorOptions.FromConfig(loaded, "mon-1");
        Assert.Equal("127.0.0.1:9090", options.Listen.ToString());
        Assert.Equal("/t/.tandem/monitor/mon-1.db", options.StorePath);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ScrapeInterval);
        Assert.Equal(TimeSpan.FromHours(25), options.Retention);
        Assert.Equal(["edge edge-1 http://127.0.0.1:8081/metrics"], options.Targets.Select(t => $"{t.Role} {t.Name} {t.Url}"));
    }

    [Fact]
    public void Targets_AreEveryEdgeOriginServerDnsNodeAndOtherMonitor_WithWildcardsReachedOnLoopback()
    {
        var loaded = ConfigLoader.Parse("""
            {
              "origins": {
                "primary": { "websiteEndpoint": "http://127.0.0.1:9101", "server": { "s3Listen": "0.0.0.0:9100", "websiteListen": "127.0.0.1:9101" } },
                "elsewhere": { "websiteEndpoint": "http://192.0.2.10:80" }
              },
              "edges": { "edge-1": { "adminToken": { "env": "T" } } },
              "dns": {
                "nodes": { "ns1": { "listen": "127.0.0.1:5353", "metricsListen": "127.0.0.1:5390" } },
                "zones": { "example.test": { "nameServers": ["ns1.example.test"], "records": [ { "name": "www", "type": "A", "values": ["127.0.0.1"] } ] } }
              },
              "monitor": { "nodes": { "mon-1": {}, "mon-2": { "listen": "127.0.0.1:9091" } } }
            }
            """, "/t/tandem.json");

        // Not the monitor itself, and not an origin Tandem does not run (it has no /_tandem/metrics).
        Assert.Equal(
            [
                "edge edge-1 http://127.0.0.1:8081/metrics",
                "origin primary http://127.0.0.1:9100/_tandem/metrics",
                "dns ns1 http://127.0.0.1:5390/metrics",
                "monitor mon-2 http://127.0.0.1:9091/metrics",
            ],
            MonitorOptions.FromConfig(loaded, "mon-1").Targets.Select(t => $"{t.Role} {t.Name} {t.Url}"));
    }

    [Fact]
    public void BadAlarm_IsAnErrorNamingIt_ForEverySetting()
    {
        var errors = Errors("""
            { "alarms": { "edge-5xx-rate": {
                "metric": "5xxErrors", "statistic": "Mean", "comparison": "Above", "treatMissingData": "skip",
                "periodSeconds": 45, "evaluationPeriods": 2, "datapointsToAlarm": 3, "node": "edge-9",
                "actions": [ { "webhook": "ftp://x", "log": true }, { "command": " " } ] } } }
            """).Select(e => e.ToString()).ToList();

        Assert.Contains("$.monitor.alarms.edge-5xx-rate.comparison: must be one of GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold (found 'Above')", errors);
        Assert.Contains(errors, e => e.StartsWith("$.monitor.alarms.edge-5xx-rate.metric: '5xxErrors' is not a metric; must be one of Requests,", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.monitor.alarms.edge-5xx-rate.statistic: must be one of Average, Sum", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.monitor.alarms.edge-5xx-rate.treatMissingData: must be one of missing, notBreaching, breaching, ignore", StringComparison.Ordinal));
        Assert.Contains("$.monitor.alarms.edge-5xx-rate.periodSeconds: 45 is not a valid period; must be 10, 20, 30 or a multiple of 60 seconds", errors);
        Assert.Contains(errors, e => e.StartsWith("$.monitor.alarms.edge-5xx-rate.datapointsToAlarm: must be 1 to evaluationPeriods (2)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.monitor.alarms.edge-5xx-rate.node: there is no edge or DNS node named 'edge-9'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.monitor.alarms.edge-5xx-rate.actions[0]: give exactly one of", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.monitor.alarms.edge-5xx-rate.actions[0].webhook: 'ftp://x' is not an http(s) URL", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("$.monitor.alarms.edge-5xx-rate.actions[1].command: is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void PeriodTimesEvaluationPeriods_IsLimitedAsInCloudWatch()
    {
        var errors = Errors("""{ "alarms": { "slow": { "metric": "Requests", "periodSeconds": 600, "evaluationPeriods": 200 } } }""");
        Assert.Contains(errors, e => e.Path == "$.monitor.alarms.slow.evaluationPeriods" && e.Message.Contains("at most 86400", StringComparison.Ordinal));
        Assert.Contains(Errors("""{ "nodes": { "mon-1": { "listen": "nowhere" } }, "scrapeIntervalMs": 5 }"""), e => e.Path == "$.monitor.scrapeIntervalMs");
    }

    [Fact]
    public void Export_WritesRulesEquivalentToTheAlarms()
    {
        var rules = PrometheusExport.Rules(MonitorConfig.DefaultAlarms);
        Assert.Contains("- alert: TandemEdge5xxRate", rules, StringComparison.Ordinal);
        Assert.Contains("expr: '(100 * sum(rate(tandem_edge_requests_total{status=\"5xx\"}[5m])) / sum(rate(tandem_edge_requests_total{}[5m]))) > 5'", rules, StringComparison.Ordinal);
        Assert.Contains("for: 5m", rules, StringComparison.Ordinal);
        Assert.Contains("expr: '(sum(increase(tandem_edge_failovers_total{}[1m]))) > 0'", rules, StringComparison.Ordinal);
        Assert.Contains("- alert: TandemCertificateExpiry", rules, StringComparison.Ordinal);
        Assert.Contains("expr: '(min(min_over_time(tandem_edge_certificate_expiry_seconds{}[5m])) / 86400) < 14'", rules, StringComparison.Ordinal);

        var mOfN = PrometheusExport.Rules(new Dictionary<string, AlarmConfig>
        {
            ["slow-origin"] = new() { Metric = "OriginLatencyP99", Node = "edge-1", PeriodSeconds = 60, EvaluationPeriods = 5, DatapointsToAlarm = 3, Threshold = 250 },
        });
        Assert.Contains("expr: 'sum_over_time(((1000 * histogram_quantile(0.99, sum by (le) (rate(tandem_edge_origin_latency_seconds_bucket{node=\"edge-1\"}[1m])))) > bool 250)[5m:1m]) >= 3'", mOfN, StringComparison.Ordinal);
        Assert.DoesNotContain("for:", mOfN, StringComparison.Ordinal);

        // Releases made live in the period: (node, release) series that were not there a period before.
        Assert.Equal("count(max by (node, release) (max_over_time(tandem_edge_release_info{node=\"edge-1\"}[10m])) unless max by (node, release) (tandem_edge_release_info{node=\"edge-1\"} offset 10m))",
            PrometheusExport.Expression(new AlarmConfig { Metric = "Releases", Statistic = "Sum", Node = "edge-1", PeriodSeconds = 600 }));
    }
}

using System.Diagnostics.Metrics;
using System.Text.Json;
using Tandem.Core.Configuration;
using Tandem.Core.Http;
using Tandem.Core.Metrics;
using Tandem.Dns;
using Tandem.Dns.Health;
using Tandem.Edge.Origins;
using Tandem.Edge.Serving;
using Tandem.Stack.Status;

namespace Tandem.Tests.Stack;

/// <summary>What status reads from other nodes: the edge's Prometheus text, a DNS node's /status, and the "serving from" choice.</summary>
public sealed class StatusProbeParsingTests
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    [Fact]
    public void PrometheusText_LabelsEscapesTimestampsAndJunk()
    {
        var samples = PrometheusText.Parse("""
            # HELP x_total Things.
            # TYPE x_total counter
            x_total{a="1",b="with \"quote\", comma"} 5
            x_total{a="2"} 2.5e1 1700000000000
            y_bucket{le="+Inf"} 3
            z 7
            not a sample line
            w{a="unterminated} 1
            """).ToList();

        Assert.Equal(4, samples.Count);
        Assert.Equal("with \"quote\", comma", samples[0].Label("b"));
        Assert.Equal(25, samples[1].Value);
        Assert.Equal("+Inf", samples[2].Label("le"));
        Assert.Equal(("z", 7.0), (samples[3].Name, samples[3].Value));
        Assert.Equal(30, PrometheusText.Sum(samples, "x_total"));
        Assert.Equal(5, PrometheusText.Sum(samples, "x_total", ("a", "1")));
    }

    [Fact]
    public void HttpFailure_OneShortLine()
    {
        var refused = new HttpRequestException("Connection refused (127.0.0.1:8081)", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
        var config = new ConfigException("secret", [new ConfigError("$.edges.edge-1.adminToken.file", "'/x/token' does not exist or is empty")]);

        Assert.Equal("connection refused (127.0.0.1:8081)", HttpFailure.Describe(refused, TimeSpan.FromSeconds(2)));
        Assert.Equal("no answer within 2 s", HttpFailure.Describe(new TaskCanceledException(), TimeSpan.FromSeconds(2)));
        Assert.Equal("$.edges.edge-1.adminToken.file: '/x/token' does not exist or is empty", HttpFailure.Describe(config, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void EdgeTraffic_FromTheEdgesOwnExporters()
    {
        // The real instruments and exporter, so a renamed metric or label fails here.
        using var meter = new Meter("test." + Guid.NewGuid());
        using var exporter = new PrometheusExporter(meter);
        var edge = new EdgeMetrics(meter, () => 0, () => 0, () => 0, () => 0);
        using var origins = new OriginMetrics();
        using var originExporter = new PrometheusExporter(origins.Meter);
        edge.Request(200, "hit", 10, TimeSpan.FromMilliseconds(1));
        edge.Request(200, "miss", 10, TimeSpan.FromMilliseconds(1));
        edge.Request(304, "hit", 0, TimeSpan.FromMilliseconds(1));
        edge.Request(404, "miss", 10, TimeSpan.FromMilliseconds(1));
        edge.Request(404, "hit", 10, TimeSpan.FromMilliseconds(1));
        edge.Request(503, "miss", 10, TimeSpan.FromMilliseconds(1));
        origins.RecordFailover("primary");
        origins.RecordFailover("primary");
        origins.RecordFailover("standby");

        var traffic = EdgeTrafficMetrics.FromText(exporter.Write() + originExporter.Write());

        Assert.Equal(new EdgeTraffic(6, 2, 1, 3), traffic);
        Assert.Equal(2.0 / 6, traffic.ClientErrorRate);
        Assert.Null(new EdgeTraffic(0, 0, 0, 0).ServerErrorRate);
    }

    [Fact]
    public void DnsStatus_AsTheDnsNodeWritesIt()
    {
        var now = DateTimeOffset.UnixEpoch;
        var written = new DnsStatus("ns1", "127.0.0.1:5353", 9, 0,
            [new HealthStatus("edge-1", true, 0, 3, 3, 0, now, now, null), new HealthStatus("edge-2", false, 3, 0, 3, 1, now, now, "connection refused")],
            [new DnsAnswerCount("www.example.com. A", "127.0.0.1", 9)],
            [new DnsZoneStatus("example.com", 2)]);

        var report = StatusCollector.WithDnsStatus(new DnsReport { Name = "ns1" }, JsonSerializer.Serialize(written, WebJson));

        Assert.Equal(9, report.Queries);
        Assert.Equal([new DnsCheckReport("edge-1", true, null), new DnsCheckReport("edge-2", false, "connection refused")], report.Checks);
        Assert.Equal([new DnsAnswerReport("www.example.com. A", "127.0.0.1", 9)], report.Answers);
    }

    private static TandemConfig Config(List<BehaviorConfig> behaviors) => new()
    {
        Origins = new(StringComparer.Ordinal) { ["primary"] = new(), ["standby"] = new(), ["assets"] = new() },
        Distribution = new()
        {
            OriginGroups = new(StringComparer.Ordinal) { ["site"] = new() { Origins = ["primary", "standby"] } },
            Behaviors = behaviors,
        },
    };

    [Fact]
    public void ServingFrom_FirstHealthyOfTheStarBehaviorsGroup()
    {
        var config = Config([new() { PathPattern = "/img/*", Target = "assets" }, new() { PathPattern = "*", Target = "site" }]);
        var group = ServingFrom.DefaultGroup(config);

        Assert.Equal(["primary", "standby"], group);
        Assert.Equal("primary", ServingFrom.Choose(group, _ => true));
        Assert.Equal("standby", ServingFrom.Choose(group, o => o != "primary"));
        Assert.Null(ServingFrom.Choose(group, o => o == "assets"));
    }

    [Fact]
    public void ServingFrom_DefaultsAsTheEdgeDoes()
    {
        Assert.Equal(["primary", "standby"], ServingFrom.DefaultGroup(Config([])));
        Assert.Equal(["assets"], ServingFrom.DefaultGroup(Config([new() { PathPattern = "/a/*", Target = "site" }, new() { PathPattern = "/b/*", Target = "assets" }])));
        Assert.Equal(["primary"], ServingFrom.DefaultGroup(new TandemConfig { Origins = new(StringComparer.Ordinal) { ["primary"] = new() } }));
    }

    [Fact]
    public void ReleaseReport_InSyncOnlyWhenAllReadAndEqual()
    {
        OriginReport O(string name, string? live, string? error = null) => new() { Name = name, Live = live, LiveError = error };

        Assert.Equal((true, "a"), Pair(ReleaseReport.Of([O("p", "a"), O("s", "a")])));
        Assert.Equal((true, null), Pair(ReleaseReport.Of([O("p", null), O("s", null)])));
        Assert.Equal((false, null), Pair(ReleaseReport.Of([O("p", "a"), O("s", "b")])));
        Assert.Equal((false, null), Pair(ReleaseReport.Of([O("p", "a"), O("s", null, "unreachable")])));

        static (bool, string?) Pair(ReleaseReport r) => (r.InSync, r.Live);
    }
}

using Tandem.Core.Stack;
using Tandem.Stack.Status;

namespace Tandem.Tests.Stack;

public sealed class StatusRendererTests
{
    private const string Live = "0123456789ab";
    private const string Other = "fedcba987654";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 8, 30, 0, TimeSpan.Zero);

    private static OriginReport Origin(string name, string region, bool healthy = true, string? live = Live, string? liveError = null, NodeProcess? process = null) => new()
    {
        Name = name,
        Region = region,
        Process = process,
        Live = live,
        LiveError = liveError,
        Health = [new OriginHealthSeen("edge-1", healthy, healthy ? null : "connection refused (127.0.0.1:9001)")],
    };

    private static EdgeReport Edge(string? servingFrom = "primary", string? live = Live, NodeProcess? process = null) => new()
    {
        Name = "edge-1",
        Url = "http://127.0.0.1:8080",
        Process = process,
        Live = live,
        ServingFrom = servingFrom,
        CacheEntries = 12,
        CacheBytes = 4096,
        CacheHits = 3,
        CacheMisses = 1,
        Traffic = new EdgeTraffic(200, 4, 1, 2),
    };

    private static StatusSnapshot Snapshot(List<OriginReport> origins, List<EdgeReport> edges, StackSummary? stack = null, DrillReport? drill = null, List<DnsReport>? dns = null)
    {
        dns ??= [];
        var releases = ReleaseReport.Of(origins);
        return new StatusSnapshot
        {
            Taken = Now,
            ConfigPath = "/site/tandem.json",
            Stack = stack,
            Origins = origins,
            Edges = edges,
            Dns = dns,
            Releases = releases,
            LastDrill = drill,
            Problems = StatusProblems.Find(origins, edges, dns, releases),
        };
    }

    private static readonly NodeProcess Running = new("running", 4242, 0);

    [Fact]
    public void Healthy_ShowsEveryPartAndExitsZero()
    {
        var drill = new DrillReport
        {
            Started = Now.AddMinutes(-10),
            Finished = Now.AddMinutes(-5),
            Target = "http://127.0.0.1:8080",
            Passed = true,
            Scenarios = [new DrillScenarioResult { Scenario = "kill", Passed = true, Requests = 500, Errors = 0, FailoverMs = 812, RecoveryMs = 3050 }],
        };
        var dns = new List<DnsReport>
        {
            new() { Name = "ns1", Url = "http://127.0.0.1:5380", Queries = 7, Checks = [new DnsCheckReport("edge-1", true, null)], Answers = [new DnsAnswerReport("www.example.com A", "127.0.0.1", 7)] },
        };
        var s = Snapshot(
            [Origin("primary", "eu-west", process: Running), Origin("standby", "us-east", process: Running with { Pid = 4243, Restarts = 1 })],
            [Edge(process: Running with { Pid = 4250 })],
            new StackSummary(4000, Now.AddHours(-1), "/site/.tandem"),
            drill,
            dns);

        var text = StatusRenderer.Render(s);

        Assert.Equal(0, s.ExitCode);
        Assert.Equal(
            """
            tandem status  2026-11-26 08:30:00 UTC  config /site/tandem.json
            stack: tandem up pid 4000, started 2026-11-26 07:30:00 UTC

            Origins
              name     region   process                         health   live release
              primary  eu-west  running pid 4242                healthy  0123456789ab
              standby  us-east  running pid 4243, 1 restart(s)  healthy  0123456789ab

            Edges
              name    url                    process           serving from  live release  cache                  requests  4xx   5xx   failovers
              edge-1  http://127.0.0.1:8080  running pid 4250  primary       0123456789ab  12 entries, 75.0% hit  200       2.0%  0.5%  2

            DNS
              node  url                    process  health checks  answers
              ns1   http://127.0.0.1:5380  -        1 up, 0 down   www.example.com A -> 127.0.0.1: 7

            Releases
              0123456789ab live on every origin: in sync

            Last drill
              2026-11-26 08:25:00 UTC: passed, 1 scenario(s) against http://127.0.0.1:8080
                kill: passed, 0/500 errors, failover 812 ms, recovery 3050 ms

            OK: everything up, healthy and in sync

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void OneOriginDown_UnhealthyServingFromStandbyAndExitsOne()
    {
        var s = Snapshot(
            [Origin("primary", "eu-west", healthy: false, live: null, liveError: "cannot reach http://127.0.0.1:9000: Connection refused", process: new NodeProcess("held", null, 0)), Origin("standby", "us-east")],
            [Edge(servingFrom: "standby")]);

        var text = StatusRenderer.Render(s);

        Assert.Equal(1, s.ExitCode);
        Assert.Contains("primary  eu-west  held     UNHEALTHY on edge-1 (connection refused (127.0.0.1:9001))  unreadable: cannot reach", text, StringComparison.Ordinal);
        Assert.Contains("  standby       0123456789ab", text, StringComparison.Ordinal);
        Assert.Contains("DRIFT: primary none/unreadable, standby 0123456789ab", text, StringComparison.Ordinal);
        Assert.Contains("  - origin primary is held\n", text, StringComparison.Ordinal);
        Assert.Contains("  - origin primary is unhealthy on edge-1: connection refused (127.0.0.1:9001)\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("OK:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NoOriginHealthy_SaysServingFromCache()
    {
        var s = Snapshot([Origin("primary", "eu-west", healthy: false), Origin("standby", "us-east", healthy: false)], [Edge(servingFrom: null)]);

        Assert.Contains("none healthy: serving from cache", StatusRenderer.Render(s), StringComparison.Ordinal);
        Assert.Equal(1, s.ExitCode);
    }

    [Fact]
    public void Drift_NamesEachOriginsReleaseAndExitsOne()
    {
        var s = Snapshot([Origin("primary", "eu-west"), Origin("standby", "us-east", live: Other)], [Edge()]);

        var text = StatusRenderer.Render(s);

        Assert.Contains("Releases\n  DRIFT: primary 0123456789ab, standby fedcba987654\n", text, StringComparison.Ordinal);
        Assert.Equal(["origins' live releases differ: primary 0123456789ab, standby fedcba987654"], s.Problems);
        Assert.Equal(1, s.ExitCode);
    }

    [Fact]
    public void EdgeOnAnotherReleaseThanTheOrigins_IsAProblem()
    {
        var s = Snapshot([Origin("primary", "eu-west"), Origin("standby", "us-east")], [Edge(live: Other)]);

        Assert.Equal(["edge edge-1 serves release fedcba987654, the origins have 0123456789ab"], s.Problems);
    }

    [Fact]
    public void NoStackFile_NodesFromConfigWithoutProcessesAndEdgeDown()
    {
        var edge = new EdgeReport { Name = "edge-1", Url = "http://127.0.0.1:8080", Error = "connection refused (127.0.0.1:8081)" };
        var s = Snapshot([Origin("primary", "eu-west"), Origin("standby", "us-east")], [edge]);

        var text = StatusRenderer.Render(s);

        Assert.Contains("stack: no tandem up running in ", text, StringComparison.Ordinal);
        Assert.Contains("  primary  eu-west  -        healthy  0123456789ab\n", text, StringComparison.Ordinal);
        Assert.Contains("  edge-1  http://127.0.0.1:8080  -        down: connection refused (127.0.0.1:8081)\n", text, StringComparison.Ordinal);
        Assert.Contains("Last drill\n  none yet (run tandem drill)\n", text, StringComparison.Ordinal);
        Assert.Contains("  - edge edge-1 is down: connection refused (127.0.0.1:8081)\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("DNS", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedDrill_ShowsFailingScenarioButDoesNotFailStatus()
    {
        var drill = new DrillReport
        {
            Started = Now,
            Finished = Now,
            Target = "http://127.0.0.1:8080",
            Passed = false,
            Scenarios = [new DrillScenarioResult { Scenario = "freeze", Passed = false, Requests = 100, Errors = 3, Notes = ["3 visitors saw 504"] }],
        };
        var s = Snapshot([Origin("primary", "eu-west")], [Edge()], drill: drill);

        var text = StatusRenderer.Render(s);

        Assert.Contains("2026-11-26 08:30:00 UTC: FAILED, 1 scenario(s)", text, StringComparison.Ordinal);
        Assert.Contains("    freeze: FAILED, 3/100 errors, 3 visitors saw 504\n", text, StringComparison.Ordinal);
        Assert.Equal(0, s.ExitCode);
    }
}

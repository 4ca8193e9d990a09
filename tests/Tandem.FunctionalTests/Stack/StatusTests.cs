using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tandem.Core.Stack;
using Tandem.Deploy;
using Tandem.FunctionalTests.Deploy;
using Tandem.FunctionalTests.Edge;
using Tandem.FunctionalTests.Infrastructure;
using Tandem.Stack.Status;

namespace Tandem.FunctionalTests.Stack;

/// <summary>
/// `tandem status` as a user runs it, against two real origins and a real edge: all well, then
/// the standby drifting to another release, then the primary stopped; with a stack file and a
/// drill report in the state folder as `tandem up` and `tandem drill` leave them.
/// </summary>
[Collection(EdgeLoadCollection.Name)]
public sealed class StatusTests
{
    private static Task<ExternalTool.Result> StatusAsync(DeployRig rig, params string[] args) =>
        ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, "status", "--config", rig.ConfigPath, "--state-dir", rig.Dir.Combine(".tandem"), .. args], workingDirectory: rig.Dir.Path, timeout: TimeSpan.FromMinutes(1));

    [Fact]
    public async Task Status_HealthyThenDriftThenPrimaryDown()
    {
        await using var rig = await DeployRig.StartAsync(edges: 1);
        var edge = await rig.StartEdgeAsync("edge-1");
        rig.Put("index.html", "<h1>one</h1>");
        var (first, output) = await rig.DeployAfterSetupAsync();
        Assert.True(first.ExitCode == 0 && first.Live, output);
        var state = rig.Dir.Combine(".tandem");

        // As `tandem up` would write it (this test process standing in for the supervisor), with
        // the edge's admin URL the stack reports.
        new StackFile
        {
            ConfigPath = rig.ConfigPath,
            StateDir = state,
            SupervisorPid = Environment.ProcessId,
            StartedAt = DateTimeOffset.UtcNow,
            Nodes =
            [
                new StackNode { Role = "origin", Name = "primary", Pid = 101, State = "running", Urls = { ["s3"] = rig.Primary.S3Url } },
                new StackNode { Role = "origin", Name = "standby", Pid = 102, State = "running", Restarts = 1 },
                new StackNode { Role = "edge", Name = "edge-1", Pid = 103, State = "running", Urls = { ["admin"] = edge.AdminUrl.ToString() } },
            ],
        }.Write(StackFile.PathIn(state));
        new DrillReport
        {
            Started = DateTimeOffset.UtcNow.AddMinutes(-3),
            Finished = DateTimeOffset.UtcNow.AddMinutes(-2),
            Target = rig.EdgeUrl("edge-1"),
            Passed = true,
            Scenarios = [new DrillScenarioResult { Scenario = "kill", Passed = true, Requests = 400, FailoverMs = 640 }],
        }.Write(state);

        // The edge started before the site existed, so its probes saw 404s: wait for them to pass.
        await WaitForAsync(new StatusCollector(rig.Load(), state), s => s.Origins.All(o => o.Health.Count == 1 && o.Health[0].Healthy));

        // Visitors: the page three times (a miss, then two hits) and a page that is not there (a 4xx).
        using (var http = new HttpClient())
        {
            foreach (var path in new[] { "/", "/", "/", "/no-such-page" })
            {
                using var response = await http.GetAsync(rig.EdgeUrl("edge-1") + path);
                Assert.Equal(path == "/" ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
            }
        }

        var healthy = await StatusAsync(rig);

        Assert.True(healthy.ExitCode == 0, healthy.StdOut + healthy.StdErr);
        Assert.Contains("primary  -       running pid 101                healthy  " + first.ReleaseId, healthy.StdOut, StringComparison.Ordinal);
        Assert.Contains("standby  -       running pid 102, 1 restart(s)  healthy  " + first.ReleaseId, healthy.StdOut, StringComparison.Ordinal);
        Assert.Contains($"  edge-1  {rig.EdgeUrl("edge-1")}", healthy.StdOut, StringComparison.Ordinal);
        Assert.Contains($"running pid 103  primary       {first.ReleaseId}", healthy.StdOut, StringComparison.Ordinal);
        Assert.Contains($"{first.ReleaseId} live on every origin: in sync", healthy.StdOut, StringComparison.Ordinal);
        Assert.Contains("passed, 1 scenario(s)", healthy.StdOut, StringComparison.Ordinal);
        Assert.Contains("    kill: passed, 0/400 errors, failover 640 ms", healthy.StdOut, StringComparison.Ordinal);
        Assert.Contains("OK: everything up, healthy and in sync", healthy.StdOut, StringComparison.Ordinal);

        // The edge's row: cache entries and hit ratio, then requests, 4xx and 5xx rates, failovers.
        var edgeRow = Regex.Match(healthy.StdOut, @"(\d+) entries, ([\d.]+)% hit +(\d+) +([\d.]+)% +([\d.]+)% +(\d+)");
        Assert.True(edgeRow.Success, healthy.StdOut);
        Assert.True(double.Parse(edgeRow.Groups[2].Value, CultureInfo.InvariantCulture) > 0, "hit ratio: " + edgeRow.Value);
        Assert.True(long.Parse(edgeRow.Groups[3].Value, CultureInfo.InvariantCulture) >= 4, "requests: " + edgeRow.Value);
        Assert.True(double.Parse(edgeRow.Groups[4].Value, CultureInfo.InvariantCulture) > 0, "4xx rate: " + edgeRow.Value);
        Assert.Equal("0.0", edgeRow.Groups[5].Value);

        // Drift: a changed site made live on the standby only.
        rig.Put("index.html", "<h1>two</h1>");
        var (second, secondOutput) = await rig.DeployAsync(new DeployOptions { Origins = ["standby"] });
        Assert.True(second.ExitCode == 0, secondOutput);
        var drift = await StatusAsync(rig, "--json");

        Assert.True(drift.ExitCode == 1, drift.StdOut + drift.StdErr);
        var json = JsonSerializer.Deserialize<StatusSnapshot>(drift.StdOut, StackFile.Json)!;
        Assert.False(json.Releases.InSync);
        Assert.Equal(first.ReleaseId, json.Releases.LiveByOrigin["primary"]);
        Assert.Equal(second.ReleaseId, json.Releases.LiveByOrigin["standby"]);
        Assert.Contains(json.Problems, p => p.StartsWith("origins' live releases differ", StringComparison.Ordinal));

        // The same figures in the JSON snapshot, from the edge's own counters.
        var edgeJson = Assert.Single(json.Edges);
        Assert.True(edgeJson.CacheHits >= 2, $"hits {edgeJson.CacheHits}, misses {edgeJson.CacheMisses}");
        using (var raw = JsonDocument.Parse(drift.StdOut))
        {
            Assert.True(raw.RootElement.GetProperty("edges")[0].GetProperty("hitRatio").GetDouble() > 0, drift.StdOut);
        }

        Assert.NotNull(edgeJson.Traffic);
        Assert.True(edgeJson.Traffic.Requests >= 4, $"requests {edgeJson.Traffic.Requests}");
        Assert.True(edgeJson.Traffic.ClientErrors >= 1 && edgeJson.Traffic.ClientErrorRate > 0, $"4xx {edgeJson.Traffic.ClientErrors}");
        Assert.Equal(0, edgeJson.Traffic.ServerErrorRate);
        Assert.Contains($"DRIFT: primary {first.ReleaseId}, standby {second.ReleaseId}", StatusRenderer.Render(json), StringComparison.Ordinal);

        // The primary stops: the edge's probes mark it unhealthy and the standby takes over.
        await ((IAsyncDisposable)rig.Primary).DisposeAsync();
        await WaitForAsync(new StatusCollector(rig.Load(), state), s => s.Edges[0].ServingFrom == "standby");

        var down = await StatusAsync(rig);

        Assert.True(down.ExitCode == 1, down.StdOut + down.StdErr);
        Assert.Contains("UNHEALTHY on edge-1", down.StdOut, StringComparison.Ordinal);
        Assert.Contains("running pid 103  standby", down.StdOut, StringComparison.Ordinal);
        Assert.Contains("unreadable: cannot reach " + rig.Primary.S3Url, down.StdOut, StringComparison.Ordinal);
        Assert.Contains("  - origin primary is unhealthy on edge-1", down.StdOut, StringComparison.Ordinal);
        Assert.Contains("DRIFT: primary none/unreadable", down.StdOut, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(StatusCollector collector, Func<StatusSnapshot, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!done(await collector.CollectAsync(CancellationToken.None)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Status_NoStackFileEdgeDownAndBadConfig()
    {
        await using var rig = await DeployRig.StartAsync(edges: 1);
        var noEdge = await StatusAsync(rig);
        var badConfig = await ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, "status", "--config", rig.Dir.Combine("missing.json")], workingDirectory: rig.Dir.Path);

        Assert.True(noEdge.ExitCode == 1, noEdge.StdOut + noEdge.StdErr);
        Assert.Contains("stack: no tandem up running in ", noEdge.StdOut, StringComparison.Ordinal);
        Assert.Contains("down: connection refused", noEdge.StdOut, StringComparison.Ordinal);
        Assert.Contains("unknown (no edge answered)", noEdge.StdOut, StringComparison.Ordinal);
        Assert.Contains("none yet (run tandem drill)", noEdge.StdOut, StringComparison.Ordinal);
        Assert.Equal(2, badConfig.ExitCode);
        Assert.StartsWith("tandem status: ", badConfig.StdErr, StringComparison.Ordinal);
    }
}

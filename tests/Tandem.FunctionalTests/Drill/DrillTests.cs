using System.Diagnostics;
using System.Net;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.FunctionalTests.Infrastructure;
using Tandem.FunctionalTests.Monitor;
using Tandem.Monitor;
using Tandem.Monitor.Alarms;
using Tandem.Monitor.Scraping;

namespace Tandem.FunctionalTests.Drill;

/// <summary>`tandem drill` against a real stack: origins and edge as child processes, the drill as the user runs it.</summary>
[Collection(Tandem.FunctionalTests.Edge.EdgeLoadCollection.Name)]
public sealed class DrillTests(DrillStack stack, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<DrillStack>
{
    [Fact]
    public async Task Drill_WebsiteDeleted5xxSlowFreeze_AllPass_FaultsGoneAfterwards()
    {
        await OffRunnerThreads.Now;
        var websiteBefore = await stack.PrimaryWebsiteAsync();

        var run = await stack.Tandem(TimeSpan.FromMinutes(3), "drill", "website-deleted", "5xx", "slow", "freeze", "--outage", "3", "--state-dir", stack.StateDir);

        log.WriteLine(run.StdOut + run.StdErr);
        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        var report = DrillReport.Latest(stack.StateDir);
        Assert.NotNull(report);
        Assert.True(report.Passed, run.StdOut);
        Assert.Equal(stack.EdgeUrl, report.Target);
        Assert.Equal(["website-deleted", "5xx", "slow", "freeze"], report.Scenarios.Select(s => s.Scenario));
        foreach (var s in report.Scenarios)
        {
            Assert.True(s.Passed, $"{s.Scenario}: {string.Join("; ", s.Notes)}");
            Assert.Equal(0, s.Errors);
            Assert.True(s.Requests > 50, $"{s.Scenario}: only {s.Requests} requests");
            Assert.NotNull(s.FailoverMs);
            Assert.NotNull(s.RecoveryMs);
            Assert.InRange(s.FailoverMs.Value, 0, 20_000);
        }

        // A slow or frozen primary costs a visitor at most about one response timeout, then the standby answers.
        Assert.InRange(report.Scenarios.Single(s => s.Scenario == "slow").SlowestMs, 0, DrillStack.ResponseTimeoutMs + 3000);
        Assert.Contains("website-deleted", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("report: ", run.StdOut, StringComparison.Ordinal);

        Assert.Equal(websiteBefore, await stack.PrimaryWebsiteAsync());
        AssertNoFaultLeft();
    }

    [Fact]
    public async Task Drill5xx_WithAMonitor_FailoverAlarmGoesToAlarmAndBack_WebhookGetsExactlyThoseTwo()
    {
        await OffRunnerThreads.Now;
        await using var hook = await WebhookReceiver.StartAsync();
        using var dir = new TempDir("tandem-drill-monitor");
        var alarm = new AlarmConfig
        {
            Metric = MonitorMetrics.Failovers,
            Statistic = "Sum",
            PeriodSeconds = 10,
            EvaluationPeriods = 1,
            Threshold = 0,
            Comparison = "GreaterThanThreshold",
            TreatMissingData = "notBreaching",
            Actions = [new AlarmActionConfig { Webhook = hook.Url.ToString() }],
        };
        await using var monitor = await MonitorHost.StartAsync(new MonitorOptions
        {
            Name = "mon-drill",
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            StorePath = dir.Combine("mon.db"),
            ScrapeInterval = TimeSpan.FromMilliseconds(500),
            Targets =
            [
                new ScrapeTarget("edge", "edge-1", new Uri($"http://127.0.0.1:{stack.Port("edge-admin")}/metrics")),
                new ScrapeTarget("origin", "primary", new Uri($"http://127.0.0.1:{stack.Port("primary-s3")}/_tandem/metrics")),
                new ScrapeTarget("origin", "standby", new Uri($"http://127.0.0.1:{stack.Port("standby-s3")}/_tandem/metrics")),
            ],
            Alarms = [new AlarmDefinition("origin-failovers", alarm)],
            OriginGroups = new Dictionary<string, IReadOnlyList<string>> { ["site"] = ["primary", "standby"] },
        });
        string State() => monitor.ReadModel.Current().Alarms.Single().State;
        await WaitAsync(() => State() == AlarmStates.Ok, TimeSpan.FromSeconds(15), "the alarm OK before the drill");

        var run = await stack.Tandem(TimeSpan.FromMinutes(2), "drill", "5xx", "--outage", "3", "--state-dir", stack.StateDir);
        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        await WaitAsync(() => !hook.Received.IsEmpty, TimeSpan.FromSeconds(15), "the ALARM notification");
        await WaitAsync(() => State() == AlarmStates.Ok, TimeSpan.FromSeconds(40), "the alarm OK again after the drill");
        await WaitAsync(() => hook.Received.Count >= 2, TimeSpan.FromSeconds(5), "the OK notification");
        await Task.Delay(1500);

        var received = hook.Received.Select(n => $"{n.GetProperty("alarm").GetString()}: {n.GetProperty("oldState").GetString()}->{n.GetProperty("newState").GetString()}").ToList();
        Assert.Equal(["origin-failovers: OK->ALARM", "origin-failovers: ALARM->OK"], received);
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Drill_KillAndBothDown_WithTheSupervisorsHolds_PassAndDnsMovesAndBack()
    {
        await OffRunnerThreads.Now;
        var before = (Primary: stack.Pid("primary"), Standby: stack.Pid("standby"));

        var run = await stack.Tandem(TimeSpan.FromMinutes(3), "drill", "kill", "both-down", "--outage", "3", "--state-dir", stack.StateDir);

        log.WriteLine(run.StdOut + run.StdErr);
        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        var report = DrillReport.Latest(stack.StateDir)!;
        Assert.Equal(["kill", "both-down"], report.Scenarios.Select(s => s.Scenario));
        var kill = report.Scenarios[0];
        Assert.NotNull(kill.FailoverMs);
        Assert.NotNull(kill.RecoveryMs);
        var bothDown = report.Scenarios[1];
        Assert.Null(bothDown.FailoverMs);
        Assert.NotNull(bothDown.RecoveryMs);
        Assert.Equal(0, bothDown.Errors);

        // Zero errors is only worth something if the outage reached visitors: uncached pages got
        // the site's own error page (no origin left to ask) and cached ones came from the cache.
        Assert.True(bothDown.OutageErrorPages > 0, "no uncached request got the error page during both-down: " + string.Join("; ", bothDown.Notes));
        Assert.True(bothDown.OutageCacheHits > 0, "no cached request was answered from the cache during both-down: " + string.Join("; ", bothDown.Notes));
        Assert.Contains($"both-down: during the outage: {bothDown.OutageCacheHits} cached request(s) answered from the edge's cache, {bothDown.OutageErrorPages} uncached request(s) got the site's error page", run.StdOut, StringComparison.Ordinal);
        Assert.Contains(bothDown.Notes, n => n.StartsWith("DNS www.example.test: 127.0.0.1 → 127.0.0.2 after", StringComparison.Ordinal) && n.Contains("back to 127.0.0.1", StringComparison.Ordinal));
        Assert.NotEqual(before.Primary, stack.Pid("primary"));
        Assert.NotEqual(before.Standby, stack.Pid("standby"));
        AssertNoFaultLeft();
    }

    [Theory]
    [InlineData("freeze")]
    [InlineData("5xx")]
    [InlineData("website-deleted")]
    public async Task Drill_InterruptedMidOutage_RestoresTheFault(string scenario)
    {
        await OffRunnerThreads.Now;
        var websiteBefore = await stack.PrimaryWebsiteAsync();
        using var drill = stack.Start("drill", scenario, "--outage", "30", "--state-dir", stack.StateDir);
        var stdout = drill.StandardOutput.ReadToEndAsync();
        var stderr = drill.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!await InjectedAsync(scenario))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(40) || drill.HasExited)
            {
                Assert.Fail($"the drill did not inject {scenario}: " + await stderr);
            }

            await Task.Delay(100);
        }

        await Task.Delay(1000);
        ProcessSignals.Send(drill.Id, ProcessSignals.SigInt);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await drill.WaitForExitAsync(cts.Token);

        Assert.True(drill.ExitCode == 130, $"exit {drill.ExitCode}\n{await stdout}\n{await stderr}");
        Assert.Contains("interrupted", await stdout, StringComparison.Ordinal);

        // Restored: the process resumed (freeze), the fault file gone (5xx), the website configuration back (website-deleted).
        AssertNoFaultLeft();
        Assert.Equal(websiteBefore, await stack.PrimaryWebsiteAsync());
        Assert.False(File.Exists(global::Tandem.Drill.WebsiteDeletedFault.MarkerPath(stack.StateDir, "primary")), "the website-deleted marker left behind");
    }

    /// <summary>Whether the scenario's fault is in effect on the primary now.</summary>
    private async Task<bool> InjectedAsync(string scenario) => scenario switch
    {
        "freeze" => stack.PrimaryStopped(),
        "5xx" => OriginFault.TryRead(stack.PrimaryDataDir)?.Status == 503,
        "website-deleted" => await stack.PrimaryWebsiteAsync() == "null",
        _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
    };

    [Fact]
    public async Task Drill5xx_StandbyBrokenToo_VisitorsSeeErrors_ExitOneAndDrillFailed()
    {
        await OffRunnerThreads.Now;

        // The standby answers 503 as well, so the primary's 5xx reaches visitors. It is put right
        // when the drill restores the primary, so the drill's own wait for a whole group ends soon.
        new OriginFault { Status = 503, Until = DateTimeOffset.UtcNow.AddMinutes(2) }.Write(stack.StandbyDataDir);
        try
        {
            using var drill = stack.Start("drill", "5xx", "--outage", "2", "--state-dir", stack.StateDir);
            var stdout = drill.StandardOutput.ReadToEndAsync();
            var stderr = new System.Text.StringBuilder();
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (await drill.StandardError.ReadLineAsync(cts.Token) is { } line)
            {
                stderr.AppendLine(line);
                if (line.StartsWith("5xx: restore", StringComparison.Ordinal))
                {
                    OriginFault.Remove(stack.StandbyDataDir);
                }
            }

            await drill.WaitForExitAsync(cts.Token);
            var output = await stdout;
            log.WriteLine(output + stderr);

            Assert.True(drill.ExitCode == 1, $"exit {drill.ExitCode}\n{output}\n{stderr}");
            Assert.Contains("drill FAILED", output, StringComparison.Ordinal);
            var report = DrillReport.Latest(stack.StateDir)!;
            Assert.False(report.Passed);
            var result = Assert.Single(report.Scenarios);
            Assert.Equal("5xx", result.Scenario);
            Assert.False(result.Passed);
            Assert.True(result.Errors > 0, "no visitor-visible error recorded: " + string.Join("; ", result.Notes));
            Assert.Null(result.FailoverMs);
            Assert.NotNull(result.RecoveryMs);
            Assert.Contains(result.Notes, n => n.Contains("instead of 200", StringComparison.Ordinal));
            Assert.Contains("5xx: no uncached request was served by another origin than primary during the outage", output, StringComparison.Ordinal);
        }
        finally
        {
            OriginFault.Remove(stack.StandbyDataDir);
            await stack.WaitForEdgeToSeeBothHealthyAsync(TimeSpan.FromSeconds(30));
        }

        AssertNoFaultLeft();
    }

    [Fact]
    public async Task Drill_AfterADrillKilledDuringWebsiteDeleted_PutsTheWebsiteConfigurationBackFirst()
    {
        await OffRunnerThreads.Now;
        var websiteBefore = await stack.PrimaryWebsiteAsync();
        await stack.DeletePrimaryWebsiteAsync();

        var run = await stack.Tandem(TimeSpan.FromMinutes(2), "drill", "5xx", "--outage", "1", "--state-dir", stack.StateDir);

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains("an earlier drill left the website configuration of primary deleted: put back hosting of the live release", run.StdErr, StringComparison.Ordinal);
        Assert.Equal(websiteBefore, await stack.PrimaryWebsiteAsync());
        Assert.False(File.Exists(global::Tandem.Drill.WebsiteDeletedFault.MarkerPath(stack.StateDir, "primary")));
        AssertNoFaultLeft();
    }

    [Fact]
    public async Task Drill_UnknownScenario_ExitTwoListingValidOnes()
    {
        await OffRunnerThreads.Now;
        var run = await stack.Tandem(TimeSpan.FromMinutes(1), "drill", "flood", "--state-dir", stack.StateDir);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("valid: website-deleted, kill, freeze, 5xx, slow, both-down", run.StdErr, StringComparison.Ordinal);
    }

    private void AssertNoFaultLeft()
    {
        Assert.False(File.Exists(OriginFault.PathIn(stack.PrimaryDataDir)), "fault.json left behind");
        Assert.False(File.Exists(OriginFault.PathIn(stack.StandbyDataDir)), "the standby's fault.json left behind");
        var holds = Path.Combine(stack.StateDir, NodeHold.FolderName);
        Assert.True(!Directory.Exists(holds) || Directory.GetFiles(holds).Length == 0, "a hold left behind");
        Assert.False(stack.PrimaryStopped(), "the primary is still stopped");
        Assert.All(StackFile.TryRead(StackFile.PathIn(stack.StateDir))!.Nodes, n => Assert.Equal("running", n.State));
    }
}

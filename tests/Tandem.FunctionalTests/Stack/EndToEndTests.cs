using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tandem.Core.Metrics;
using Tandem.Core.Stack;
using Tandem.FunctionalTests.Edge;
using Tandem.FunctionalTests.Infrastructure;
using Tandem.FunctionalTests.Monitor.Dashboard;
using Xunit.Abstractions;

namespace Tandem.FunctionalTests.Stack;

/// <summary>
/// The README's tour, run as a user runs it: `./tandem up SITE` through the checkout's wrapper
/// (the published, self-contained CLI), a page changed and deployed without --config, every
/// drill scenario against the running stack with zero visitor-visible errors and a recovery in
/// each, `./tandem status` all well (DNS row included), the monitor's dashboard showing the
/// standby serving while a drill freezes the primary, within a scrape and a poll of the edge
/// marking the primary unhealthy, and Ctrl-C.
/// </summary>
[Collection(EdgeLoadCollection.Name)]
public sealed class EndToEndTests(ITestOutputHelper output)
{
    // The wrapper publishes the CLI on first use (test.sh does it before the tests); allow for it.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Tour_UpDeployDrillStatus_ZeroVisitorErrorsAndEveryScenarioRecovers()
    {
        await OffRunnerThreads.Now;
        using var dir = new TempDir("tandem-e2e");
        var site = dir.Combine("site");
        CopyFolder(Path.Combine(UpProcess.RepoRoot, "examples", "site"), site);
        var offset = UpProcess.FreePortOffset();
        var edge = $"http://127.0.0.1:{8080 + offset}/";

        using var up = UpProcess.StartWrapper(dir.Path, "site", "--port-offset", offset.ToString(CultureInfo.InvariantCulture));
        try
        {
            await up.WaitForLineAsync("Ctrl-C stops everything", StartTimeout);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using (var first = await http.GetAsync(edge))
            {
                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                Assert.Equal("primary", first.Headers.GetValues("X-Tandem-Origin").Single());
            }

            // Change a page and deploy: the commands find the stack through .tandem/stack.json.
            var marker = $"<!-- e2e {Guid.NewGuid():N} -->";
            await File.AppendAllTextAsync(Path.Combine(site, "index.html"), marker);
            var deploy = await TandemAsync(dir.Path, TimeSpan.FromMinutes(2), "deploy");
            Assert.True(deploy.ExitCode == 0, "deploy failed:\n" + deploy.StdOut + deploy.StdErr);
            Assert.Contains(marker, await http.GetStringAsync(edge), StringComparison.Ordinal);

            // Every drill scenario, bounded: six scenarios of a few seconds each.
            var drill = await TandemAsync(dir.Path, TimeSpan.FromMinutes(6), "drill", "--outage", "3");
            output.WriteLine(drill.StdOut);
            output.WriteLine(drill.StdErr);
            Assert.True(drill.ExitCode == 0, $"drill exited {drill.ExitCode}:\n{drill.StdOut}\n{drill.StdErr}\nup:\n{up.StdOut}");

            var report = DrillReport.Latest(up.StateDir);
            Assert.NotNull(report);
            Assert.True(report.Passed);
            Assert.Equal(["website-deleted", "kill", "freeze", "5xx", "slow", "both-down"], report.Scenarios.Select(s => s.Scenario));
            Assert.All(report.Scenarios, s =>
            {
                Assert.True(s.Passed, $"{s.Scenario}: {string.Join("; ", s.Notes)}");
                Assert.Equal(0, s.Errors);
                Assert.True(s.Requests > 100, $"{s.Scenario}: only {s.Requests} requests recorded");
                Assert.NotNull(s.RecoveryMs);
            });
            Assert.All(report.Scenarios.Where(s => s.Scenario != "both-down"), s => Assert.NotNull(s.FailoverMs));
            var bothDown = report.Scenarios.Single(s => s.Scenario == "both-down");
            Assert.Contains(bothDown.Notes, n => n.Contains("127.0.0.2", StringComparison.Ordinal));
            Assert.True(bothDown.OutageErrorPages > 0 && bothDown.OutageCacheHits > 0, "both-down: " + string.Join("; ", bothDown.Notes));

            // After the drill everything is back: status says so, and the site is the deployed one.
            var status = await TandemAsync(dir.Path, TimeSpan.FromSeconds(60), "status");
            output.WriteLine(status.StdOut);
            Assert.True(status.ExitCode == 0, "status:\n" + status.StdOut + status.StdErr);
            Assert.Contains("in sync", status.StdOut, StringComparison.Ordinal);
            Assert.Contains("passed", status.StdOut, StringComparison.Ordinal);

            // The DNS row: ns1 with its health check up, and www answered both ways during the
            // drill: the edge (primary) and, while both regions were down, the secondary.
            Assert.Contains("\nDNS\n", status.StdOut, StringComparison.Ordinal);
            var dnsRow = Regex.Match(status.StdOut, @"^  ns1 +http://127\.0\.0\.1:\d+ +running pid \d+ +1 up, 0 down +(?<answers>.+)$", RegexOptions.Multiline);
            Assert.True(dnsRow.Success, "no DNS row for ns1:\n" + status.StdOut);
            Assert.Matches(@"www\.example\.test A -> primary 127\.0\.0\.1: [1-9]\d*", dnsRow.Groups["answers"].Value);
            Assert.Matches(@"www\.example\.test A -> secondary 127\.0\.0\.2: [1-9]\d*", dnsRow.Groups["answers"].Value);
            Assert.Contains(marker, await http.GetStringAsync(edge), StringComparison.Ordinal);

            // The monitor's dashboard, in headless Chromium, while a drill freezes the primary:
            // charts with data, the standby shown serving during the outage, the primary after.
            var chromium = new Chromium();
            await chromium.InitializeAsync();
            try
            {
                await using var page = await DashboardPage.OpenAsync(chromium.Browser, new Uri($"http://127.0.0.1:{9090 + offset}/"));
                await page.WaitForChartsAsync(2, TimeSpan.FromSeconds(30));
                await page.WaitForServingAsync("primary", TimeSpan.FromSeconds(30));
                var clock = Stopwatch.StartNew();
                var freeze = TandemAsync(dir.Path, TimeSpan.FromMinutes(2), "drill", "freeze", "--outage", "8");
                var watching = clock.Elapsed;
                var shownTask = page.WaitForServingAsync("standby", TimeSpan.FromSeconds(40));

                // The edge's own view first: when it marked the frozen primary unhealthy.
                var unhealthy = await OriginUnhealthyAsync(http, new Uri($"http://127.0.0.1:{8081 + offset}/metrics"), "primary", clock, TimeSpan.FromSeconds(40));
                var shown = watching + await shownTask;

                // The page lags the edge by one scrape at most (every scrapeInterval, plus that
                // round's timeout of 0.8 × the interval while the frozen primary hangs it), then
                // one poll of the page; 3 s more for a loaded machine and the browser drawing.
                var scrape = await ScrapeIntervalAsync(http, new Uri($"http://127.0.0.1:{9090 + offset}/api/state"));
                var bound = scrape + scrape * 0.8 + DashboardPoll + TimeSpan.FromSeconds(3);
                output.WriteLine($"edge marked the primary unhealthy {unhealthy.TotalSeconds:0.0} s after the freeze drill started, the dashboard showed the standby serving at {shown.TotalSeconds:0.0} s: {(shown - unhealthy).TotalSeconds:0.0} s later (bound {bound.TotalSeconds:0.0} s)");
                Assert.True(shown - unhealthy <= bound, $"the dashboard showed the standby {(shown - unhealthy).TotalSeconds:0.0} s after the edge marked the primary unhealthy; bound {bound.TotalSeconds:0.0} s");
                var frozen = await freeze;
                Assert.True(frozen.ExitCode == 0, "freeze drill:\n" + frozen.StdOut + frozen.StdErr);
                await page.WaitForServingAsync("primary", TimeSpan.FromSeconds(30));
                Assert.Empty(page.ConsoleErrors);
                Assert.Empty(page.FailedRequests);
            }
            finally
            {
                await chromium.DisposeAsync();
            }

            up.Signal(ProcessSignals.SigInt);
            Assert.Equal(0, await up.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.False(File.Exists(StackFile.PathIn(up.StateDir)));
        }
        finally
        {
            output.WriteLine("up stdout:\n" + up.StdOut);
            output.WriteLine("up stderr:\n" + up.StdErr);
        }
    }

    /// <summary>How often the dashboard polls the monitor (POLL_MS in its script).</summary>
    private static readonly TimeSpan DashboardPoll = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Polls the edge's /metrics until tandem_edge_origin_healthy{origin} is 0; returns
    /// <paramref name="clock"/>'s time then.
    /// </summary>
    private static async Task<TimeSpan> OriginUnhealthyAsync(HttpClient http, Uri metrics, string origin, Stopwatch clock, TimeSpan timeout)
    {
        var last = "(no answer yet)";
        while (clock.Elapsed < timeout)
        {
            try
            {
                var healthy = PrometheusText.Parse(await http.GetStringAsync(metrics))
                    .Where(m => m.Name == "tandem_edge_origin_healthy" && m.Label("origin") == origin)
                    .Select(m => (double?)m.Value)
                    .SingleOrDefault();
                if (healthy == 0)
                {
                    return clock.Elapsed;
                }

                last = healthy?.ToString(CultureInfo.InvariantCulture) ?? "no such series";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"the edge did not mark {origin} unhealthy within {timeout} (last: {last})");
    }

    /// <summary>The monitor's scrape interval, from its /api/state.</summary>
    private static async Task<TimeSpan> ScrapeIntervalAsync(HttpClient http, Uri state)
    {
        using var json = JsonDocument.Parse(await http.GetStringAsync(state));
        return TimeSpan.Parse(json.RootElement.GetProperty("scrapeInterval").GetString()!, CultureInfo.InvariantCulture);
    }

    private static Task<ExternalTool.Result> TandemAsync(string workingDirectory, TimeSpan timeout, params string[] args) =>
        ExternalTool.RunAsync(UpProcess.Wrapper, args, workingDirectory: workingDirectory, timeout: timeout);

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

using System.Diagnostics;
using Tandem.FunctionalTests.Stack;
using Xunit.Abstractions;

namespace Tandem.FunctionalTests.Monitor.Dashboard;

/// <summary>
/// The dashboard in headless chromium over a fake read model the test changes while the page
/// polls: it draws, it follows a failover without a reload, and nothing on it fails.
/// </summary>
public sealed class DashboardBrowserTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>
{
    /// <summary>The page polls every 2 s; a change must show within one poll and a bit.</summary>
    private static readonly TimeSpan OnePoll = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task The_page_draws_every_chart_and_shows_the_standby_serving_within_a_poll_of_a_failover()
    {
        var model = new FakeMonitorReadModel(FakeMonitorReadModel.Healthy());
        await using var host = await DashboardHost.StartAsync(model);
        await using var page = await DashboardPage.OpenAsync(chromium.Browser, host.Address);

        var counts = await page.WaitForChartsAsync(points: 10, TimeSpan.FromSeconds(10));
        Assert.Equal(["cache", "errors", "latency", "requests"], counts.Keys.Order());
        await page.WaitForServingAsync("primary", OnePoll, edge: "edge-a");
        Assert.Equal(["primary"], await page.ServingAsync());
        await page.WaitForAlarmStateAsync("origin-failovers", "OK", OnePoll);
        Assert.Equal("expires in 62.0 days", await page.Page.TextContentAsync("#releases [data-edge=\"edge-a\"] [data-days]"));
        await page.Page.EvaluateAsync("() => window.notReloaded = true");

        var frozen = Stopwatch.StartNew();
        var at = DateTimeOffset.UtcNow;
        model.FailoverAt = at;
        model.Snapshot = FakeMonitorReadModel.FailedOver(model.Snapshot, at);
        await page.WaitForServingAsync("standby", OnePoll, edge: "edge-a");
        await page.WaitForAlarmStateAsync("origin-failovers", "ALARM", OnePoll);
        output.WriteLine($"standby shown serving and alarm in ALARM {frozen.ElapsedMilliseconds} ms after the switch; charts: {string.Join(", ", counts)}");

        Assert.Equal(["standby"], await page.ServingAsync());
        Assert.Equal(["serving from standby (failed over from primary)"], await page.VerdictsAsync());
        Assert.Equal("unhealthy", await page.Page.TextContentAsync("[data-origin=\"primary\"] .state-unhealthy"));
        Assert.Contains("serving", await page.Page.TextContentAsync("[data-origin=\"standby\"]") ?? "", StringComparison.Ordinal);
        Assert.True(await page.Page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        Assert.Empty(page.ConsoleErrors);
        Assert.Empty(page.FailedRequests);
        Assert.All(page.RequestedUrls, url => Assert.StartsWith(host.Address.ToString(), url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Choosing_an_edge_asks_for_its_series_and_the_charts_follow()
    {
        var model = new FakeMonitorReadModel(FakeMonitorReadModel.Healthy());
        await using var host = await DashboardHost.StartAsync(model);
        await using var page = await DashboardPage.OpenAsync(chromium.Browser, host.Address);
        Assert.All(page.RequestedUrls.Where(u => u.Contains("/api/series", StringComparison.Ordinal)),
            url => Assert.DoesNotContain("node=", url, StringComparison.Ordinal));

        await page.Page.RunAndWaitForRequestAsync(() => page.SelectEdgeAsync("edge-a"),
            r => r.Url.Contains("/api/series?metric=Requests&minutes=15&node=edge-a", StringComparison.Ordinal),
            new() { Timeout = (float)OnePoll.TotalMilliseconds });
        await page.WaitForChartsAsync(points: 10, OnePoll);

        Assert.Equal(["", "edge-a"], await page.Page.EvalOnSelectorAllAsync<string[]>("#scope option", "os => os.map(o => o.value)"));
        Assert.Empty(page.ConsoleErrors);
        Assert.Empty(page.FailedRequests);
    }

    [Fact]
    public async Task Before_any_data_every_chart_says_it_is_waiting_and_none_healthy_reads_as_serving_from_cache()
    {
        var model = new FakeMonitorReadModel(FakeMonitorReadModel.Healthy() with { OriginGroups = [FakeMonitorReadModel.Group(null)], Drills = [], Alarms = [] })
        {
            HasData = false,
        };
        await using var host = await DashboardHost.StartAsync(model);
        await using var page = await DashboardPage.OpenAsync(chromium.Browser, host.Address);

        Assert.Equal(Enumerable.Repeat("waiting for data", 4), await page.WaitingChartsAsync());
        Assert.All((await page.ChartPointCountsAsync()).Values, count => Assert.Equal(0, count));
        Assert.Equal(["none healthy: serving from cache"], await page.VerdictsAsync());
        Assert.Empty(await page.ServingAsync());
        Assert.Equal("no drills yet", await page.Page.TextContentAsync("#drills"));
        Assert.Equal("no alarms configured", await page.Page.TextContentAsync("#alarms"));

        model.HasData = true;
        await page.WaitForChartsAsync(points: 10, OnePoll);
        Assert.Empty(await page.WaitingChartsAsync());
        Assert.Empty(page.ConsoleErrors);
        Assert.Empty(page.FailedRequests);
    }

    /// <summary>
    /// Realistic data for the picture in the docs: a failover in the middle of the charts, the
    /// standby serving, the failover alarm back to OK since, and the edge's certificate 9 days
    /// from expiry with its alarm firing. Written to the test output always, and over
    /// docs/monitor-dashboard.png when TANDEM_UPDATE_SCREENSHOT=1.
    /// </summary>
    [Fact]
    public async Task A_failed_over_site_makes_a_full_page_screenshot()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-7.5);
        var model = new FakeMonitorReadModel(FakeMonitorReadModel.FailedOver(FakeMonitorReadModel.Healthy(certificateDays: 9), at)) { FailoverAt = at };
        await using var host = await DashboardHost.StartAsync(model);
        await using var page = await DashboardPage.OpenAsync(chromium.Browser, host.Address);
        await page.WaitForChartsAsync(points: 100, TimeSpan.FromSeconds(10));
        await page.WaitForServingAsync("standby", OnePoll);
        await page.WaitForAlarmStateAsync("certificate-expiry", "ALARM", OnePoll);
        await page.WaitForAlarmStateAsync("origin-failovers", "OK", OnePoll);
        Assert.Equal("expires in 9.00 days", await page.Page.TextContentAsync("#releases td.warning[data-days]"));

        var failoverMarks = await page.Page.Locator("figure.chart line.failover").CountAsync();
        var path = Path.Combine(AppContext.BaseDirectory, "monitor-dashboard.png");
        await page.ScreenshotAsync(path);
        if (Environment.GetEnvironmentVariable("TANDEM_UPDATE_SCREENSHOT") == "1")
        {
            File.Copy(path, Path.Combine(UpProcess.RepoRoot, "docs", "monitor-dashboard.png"), overwrite: true);
        }

        output.WriteLine("screenshot: " + path);
        Assert.Equal(4, failoverMarks);
        Assert.True(new FileInfo(path).Length > 10_000);
        Assert.Empty(page.ConsoleErrors);
        Assert.Empty(page.FailedRequests);
    }
}

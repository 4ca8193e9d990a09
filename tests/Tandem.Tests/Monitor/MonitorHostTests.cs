using System.Net;
using Tandem.Monitor;
using Tandem.Monitor.Scraping;
using Tandem.Tests.Edge.Origins;

namespace Tandem.Tests.Monitor;

public sealed class MonitorHostTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Rounds_DeletePointsOlderThanTheRetention_SoTheStoreStaysBounded()
    {
        using var dir = new TempFolder();
        var clock = new ManualTimeProvider(T0);
        var retention = TimeSpan.FromHours(2);

        // An hour between rounds: the loop runs its first round at the start, then only the test's run.
        await using var host = await MonitorHost.StartAsync(new MonitorOptions
        {
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            StorePath = dir.File("mon.db"),
            ScrapeInterval = TimeSpan.FromHours(1),
            Retention = retention,
        }, time: clock);
        await host.RoundAsync(CancellationToken.None);
        host.Store.Add([new DerivedPoint(MonitorMetrics.Requests, "edge-1", "", 1, 10), new DerivedPoint(MonitorMetrics.Requests, null, "", 1, 10)], T0);

        // Still inside the retention: the round's sweep keeps them.
        clock.Advance(retention - TimeSpan.FromMinutes(1));
        await host.RoundAsync(CancellationToken.None);
        Assert.Equal(2, host.Store.Count());
        host.Store.Add([new DerivedPoint(MonitorMetrics.Requests, "edge-1", "", 2, 10)], clock.Now);

        // Past it (and a minute after the last sweep): the old points go, the newer one stays.
        clock.Advance(TimeSpan.FromMinutes(2));
        await host.RoundAsync(CancellationToken.None);
        Assert.Equal(1, host.Store.Count());
        Assert.Equal([2.0], host.Store.Read(MonitorMetrics.Requests, null, T0 - TimeSpan.FromDays(1), clock.Now).Select(p => p.Point.Value));
    }
}

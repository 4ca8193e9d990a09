using System.Diagnostics;
using Tandem.Core.Configuration;
using Tandem.Edge.Origins;
using static Tandem.Tests.Edge.Origins.TestOrigins;

namespace Tandem.Tests.Edge.Origins;

public class HealthProberTests
{
    private static readonly HealthCheckConfig FastProbe = new() { IntervalMs = 100, TimeoutMs = 300, UnhealthyThreshold = 2, HealthyThreshold = 3 };

    [Fact]
    public async Task Prober_PrimaryRecovers_TrafficReturnsAfterHealthyThresholdProbes()
    {
        // A probe timeout as long as the response timeout: a test server's first answer can be slow.
        await using var pair = await OriginPair.StartAsync(503, "primary down", connection: Connection(healthCheck: FastProbe with { TimeoutMs = 2000 }));
        var (primary, p) = (pair.Primary, pair.P);
        var group = pair.Group();
        var fetcher = new OriginGroupFetcher();
        await using var prober = new HealthProber([p, pair.S]);
        prober.Start();
        await WaitForAsync(() => !p.Health.IsHealthy, "the 503 primary to turn unhealthy");
        using (var during = await fetcher.FetchAsync(group, Get()))
        {
            Assert.Equal("standby", Assert.Single(during.Attempts).Origin);
        }

        var goodAnswers = 0;
        primary.Handler = context =>
        {
            Interlocked.Increment(ref goodAnswers);
            return TestOrigin.Answer(200, "primary page")(context);
        };
        await WaitForAsync(() => p.Health.IsHealthy, "the primary to be healthy again");
        var goodProbes = Volatile.Read(ref goodAnswers);
        using var after = await fetcher.FetchAsync(group, Get());

        // Probes never overlap, so at most one more was answered while the third was being counted.
        Assert.InRange(goodProbes, FastProbe.HealthyThreshold, FastProbe.HealthyThreshold + 1);
        Assert.True(after.Origin?.Name == "primary", string.Join("; ", after.Attempts));
        Assert.Equal("primary page", await after.Response!.Content.ReadAsStringAsync());
        Assert.Equal(2, p.Health.Transitions);
    }

    [Fact]
    public async Task Prober_DeletedWebsiteConfiguration404_MakesOriginUnhealthy()
    {
        await using var origin = await TestOrigin.StartAsync(404, "<Code>NoSuchWebsiteConfiguration</Code>");
        using var o = Runtime("primary", origin.Address, Connection(healthCheck: FastProbe with { TimeoutMs = 2000 }));
        await using var prober = new HealthProber([o]);

        prober.Start();

        await WaitForAsync(() => !o.Health.IsHealthy, "a 404 probe to make the origin unhealthy");
        Assert.Contains("404", o.Health.Snapshot().LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProbeOnceAsync_Always_UsesPathUnderOriginPathAndHostHeader()
    {
        await using var origin = await TestOrigin.StartAsync(200, "ok");
        var connection = Connection(healthCheck: FastProbe with { Path = "/health.txt", TimeoutMs = 2000 }) with { OriginPath = "/releases/7", HostHeader = "site.localhost" };
        using var o = Runtime("primary", origin.Address, connection);
        await using var prober = new HealthProber([o]);

        Assert.True(await prober.ProbeOnceAsync(o));

        var seen = Assert.Single(origin.Seen);
        Assert.Equal(("GET", "/releases/7/health.txt", "site.localhost"), (seen.Method, seen.Path, seen.Host));
    }

    [Fact]
    public async Task ProbeOnceAsync_FrozenOrigin_TimesOutAsTransportFailure()
    {
        using var frozen = new FrozenOrigin();
        using var o = Runtime("primary", frozen.Address, Connection(healthCheck: FastProbe with { UnhealthyThreshold = 3 }));
        await using var prober = new HealthProber([o]);

        Assert.False(await prober.ProbeOnceAsync(o));

        Assert.False(o.Health.IsHealthy);
    }

    [Fact]
    public async Task Prober_SlowOrigin_NeverOverlapsProbes()
    {
        var inFlight = 0;
        var most = 0;
        await using var origin = await TestOrigin.StartAsync(async context =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            try
            {
                await Task.Delay(250, context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        });

        // A probe that timed out would let the next one start while the server still works on it.
        using var o = Runtime("primary", origin.Address, Connection(healthCheck: FastProbe with { TimeoutMs = 5000 }));
        await using var prober = new HealthProber([o]);

        prober.Start();
        await WaitForAsync(() => origin.Hits >= 4, "four probes");
        await prober.StopAsync();

        Assert.Equal(1, most);
    }

    [Fact]
    public async Task StopAsync_ProbeInFlight_EndsPromptly()
    {
        using var frozen = new FrozenOrigin();
        using var o = Runtime("primary", frozen.Address, Connection(healthCheck: FastProbe with { TimeoutMs = 10_000 }));
        var prober = new HealthProber([o]);
        prober.Start();
        await WaitForAsync(() => frozen.Accepted >= 1, "a probe to reach the frozen origin");

        var watch = Stopwatch.StartNew();
        await prober.DisposeAsync();

        Assert.True(watch.ElapsedMilliseconds < 2000, $"stop took {watch.ElapsedMilliseconds} ms");
        Assert.True(o.Health.IsHealthy);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

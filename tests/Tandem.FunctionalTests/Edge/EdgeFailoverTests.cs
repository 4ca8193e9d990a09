using Amazon.S3.Model;
using Tandem.FunctionalTests.Infrastructure;
using Xunit.Abstractions;
using Sample = Tandem.FunctionalTests.Infrastructure.LoadGenerator.Sample;

namespace Tandem.FunctionalTests.Edge;

/// <summary>One at a time: each test runs real origin processes under steady load, and two cores are shared.</summary>
[CollectionDefinition(Name)]
public sealed class EdgeLoadCollection
{
    public const string Name = "edge under load";
}

/// <summary>
/// The primary fails for real (killed, frozen, answering 503, website configuration deleted)
/// while eight visitors keep asking for cached and uncached pages: no visitor sees an error,
/// the standby answers meanwhile, and traffic goes back to the primary once it is back.
/// </summary>
[Collection(EdgeLoadCollection.Name)]
public sealed class EdgeFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan WarmUpLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReturnLimit = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Failover_PrimaryKilledThenRestarted_NoVisitorErrorsAndTrafficReturns()
    {
        await using var rig = await FailoverRig.StartAsync();

        await RunAsync(rig, fail: Sync(rig.Primary.KillHard), restore: rig.RestartPrimaryAsync);
    }

    [Fact]
    public async Task Failover_PrimaryFrozenThenThawed_NoVisitorErrorsAndTrafficReturns()
    {
        await using var rig = await FailoverRig.StartAsync();

        await RunAsync(rig, fail: Sync(rig.Primary.Freeze), restore: Sync(rig.Primary.Thaw));
    }

    [Fact]
    public async Task Failover_PrimaryAnswering503ThenHealed_NoVisitorErrorsAndTrafficReturns()
    {
        await using var rig = await FailoverRig.StartAsync(faultProxy: true);

        await RunAsync(rig, fail: Sync(() => rig.Proxy!.Failing = true), restore: Sync(() => rig.Proxy!.Failing = false));
    }

    [Fact]
    public async Task Failover_PrimaryWebsiteConfigurationDeletedThenPutBack_NoVisitorErrorsAndTrafficReturns()
    {
        await using var rig = await FailoverRig.StartAsync();
        using var s3 = SiteSetup.Client(rig.Primary.S3Url, rig.Credentials);

        await RunAsync(rig,
            fail: () => s3.DeleteBucketWebsiteAsync(new DeleteBucketWebsiteRequest { BucketName = "site" }),
            restore: () => s3.PutBucketWebsiteAsync(new PutBucketWebsiteRequest
            {
                BucketName = "site",
                WebsiteConfiguration = new WebsiteConfiguration { IndexDocumentSuffix = "index.html", ErrorDocument = "404.html" },
            }));
    }

    [Fact]
    public async Task HealthzOrigins_BothRegionsDown_Answers503UntilOneIsBack()
    {
        await using var rig = await FailoverRig.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var url = new Uri(rig.Edge.AdminUrl, "/healthz/origins");
        var up = await http.GetAsync(url);
        Assert.Equal(200, (int)up.StatusCode);
        Assert.Contains("primary", await up.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        rig.Primary.KillHard();
        rig.Standby.KillHard();
        Assert.True(await WaitForStatusAsync(http, url, 503, FailoverLimit), "the edge still reported a healthy origin with both down");
        Assert.Equal(200, (int)(await http.GetAsync(new Uri(rig.Edge.AdminUrl, "/healthz"))).StatusCode);

        await rig.RestartPrimaryAsync();
        Assert.True(await WaitForStatusAsync(http, url, 200, ReturnLimit), "the edge did not see the primary come back");
    }

    private static async Task<bool> WaitForStatusAsync(HttpClient http, Uri url, int status, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if ((int)(await http.GetAsync(url)).StatusCode == status)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }

    private static Func<Task> Sync(Action action) => () =>
    {
        action();
        return Task.CompletedTask;
    };

    /// <summary>Warm up, fail the primary, hold the outage, restore it, then judge every sample of the run.</summary>
    private async Task RunAsync(FailoverRig rig, Func<Task> fail, Func<Task> restore)
    {
        await using var load = new LoadGenerator(rig.Edge.HttpUrl!.ToString(), FailoverRig.MixedPaths, visitors: 8, maxDuration: TimeSpan.FromSeconds(60));
        var primaryHealth = rig.Edge.Origins.Single(o => o.Name == "primary").Health;
        var changes = new System.Collections.Concurrent.ConcurrentQueue<string>();
        primaryHealth.StateChanged += h => changes.Enqueue($"{h.State} at {load.Elapsed.TotalMilliseconds:0} ms ({h.LastError})");
        bool failedOver, returned;
        TimeSpan failedAt, restoredAt, restoreTook;
        try
        {
            var warm = await load.WaitForAsync(s => Uncached(s, TimeSpan.Zero).OrderBy(x => x.At).TakeLast(20).Count(x => x.Origin == "primary") == 20
                && FailoverRig.CachedPaths.All(p => s.Any(x => x.Path == p && x.Cache == "Hit")), WarmUpLimit);
            Assert.True(warm, "the edge did not warm up: " + Summary(load.Samples));

            failedAt = load.Elapsed;
            await fail();
            failedOver = await load.WaitForAsync(s => Uncached(s, failedAt).Count(x => x.Origin == "standby") >= 10, FailoverLimit);
            if (failedOver)
            {
                await Task.Delay(Outage);
            }

            var restoring = load.Elapsed;
            await restore();
            restoredAt = load.Elapsed;
            restoreTook = restoredAt - restoring;
            returned = await load.WaitForAsync(s =>
            {
                var after = Uncached(s, restoredAt).OrderBy(x => x.At).ToList();
                return after.Count >= 10 && after.TakeLast(10).All(x => x.Origin == "primary");
            }, ReturnLimit);
        }
        finally
        {
            await load.StopAsync();
        }

        var samples = load.Samples;
        var bad = samples.Where(x => x.Status != 200 || x.Error is not null).ToList();
        var slowest = samples.MaxBy(x => x.Latency)!;
        var firstStandby = Uncached(samples, TimeSpan.Zero).Where(x => x.Origin == "standby" && x.At + x.Latency >= failedAt).Select(x => x.At + x.Latency).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        var firstPrimaryBack = Uncached(samples, restoredAt).Where(x => x.Origin == "primary").Select(x => x.At + x.Latency).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        output.WriteLine($"{samples.Count} responses, {bad.Count} visitor-visible errors");
        output.WriteLine($"failover: first standby answer {Ms(firstStandby - failedAt)} after the failure");
        output.WriteLine($"slowest response: {Ms(slowest.Latency)} ({slowest.Path}, {slowest.Status}, {slowest.Cache}, {slowest.Origin}, at {Ms(slowest.At - failedAt)} from the failure)");
        output.WriteLine($"restore took {Ms(restoreTook)}; first primary answer {Ms(firstPrimaryBack - restoredAt)} after it");
        output.WriteLine($"failed at {Ms(failedAt)}, restored at {Ms(restoredAt)}; the edge saw the primary turn " + string.Join(", then ", changes));
        output.WriteLine(Summary(samples));

        Assert.True(bad.Count == 0, $"{bad.Count} visitors saw errors:\n" + string.Join("\n", bad.Take(10).Select(Describe)));
        Assert.True(failedOver, "the standby never answered for the primary: " + Summary(samples));
        Assert.True(returned, "traffic did not return to the primary: " + Summary(samples));
        // TTL 0 keeps a copy that every request revalidates (as CloudFront does): a Miss or a
        // RefreshHit, either way answered by the origin the header names.
        Assert.All(Uncached(samples, TimeSpan.Zero), x => Assert.Contains(x.Cache, (string[])["Miss", "RefreshHit"]));
        Assert.All(samples, x => Assert.NotNull(x.Origin));
    }

    private static IEnumerable<Sample> Uncached(IEnumerable<Sample> samples, TimeSpan since) =>
        samples.Where(x => x.At >= since && FailoverRig.IsUncached(x.Path));

    private static string Ms(TimeSpan t) => t > TimeSpan.FromDays(1) ? "never" : $"{t.TotalMilliseconds:0} ms";

    private static string Describe(Sample x) => $"{x.At.TotalMilliseconds:0} ms {x.Path}: {x.Status} {x.Cache} {x.Origin} in {x.Latency.TotalMilliseconds:0} ms {x.Error}";

    private static string Summary(IReadOnlyList<Sample> samples) =>
        string.Join(", ", samples.GroupBy(x => (FailoverRig.IsUncached(x.Path) ? "uncached" : "cached", x.Status, x.Cache, x.Origin))
            .OrderBy(g => g.Key.ToString(), StringComparer.Ordinal)
            .Select(g => $"{g.Key.Item1} {g.Key.Status} {g.Key.Cache ?? "-"} {g.Key.Origin ?? "-"}: {g.Count()}"));
}

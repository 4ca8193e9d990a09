using Tandem.Core.Configuration;
using Tandem.Edge;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Edge;

/// <summary>
/// The failover tests' setup: primary and standby as real `tandem origin` processes, each with
/// its own data directory and the example site, and an edge in front of the group [primary, standby]
/// that caches everything but /events/ (so those always reach an origin). The primary listens
/// on fixed ports, so it can be started again where the edge expects it.
/// </summary>
internal sealed class FailoverRig : IAsyncDisposable
{
    /// <summary>Paths the edge never caches: every request reaches the origin group.</summary>
    public static readonly string[] UncachedPaths = ["/events/", "/events/2026/", "/events/2026/spring-nationals/", "/events/2026/season-finale/"];

    /// <summary>Pages, CSS, scripts and images the edge serves from its cache once warm.</summary>
    public static readonly string[] CachedPaths = ["/", "/about/", "/classes/", "/css/site.css", "/js/calendar.js", "/img/logo.svg", "/img/hero.png", "/favicon.svg"];

    private readonly TempDir _dir;
    private readonly int _s3Port;
    private readonly int _websitePort;

    private FailoverRig(TempDir dir, int s3Port, int websitePort, S3Credentials credentials, OriginProcess primary, OriginProcess standby)
    {
        _dir = dir;
        _s3Port = s3Port;
        _websitePort = websitePort;
        Credentials = credentials;
        Primary = primary;
        Standby = standby;
    }

    public S3Credentials Credentials { get; }

    public OriginProcess Primary { get; private set; }

    public OriginProcess Standby { get; }

    /// <summary>In front of the primary when the rig was started with one.</summary>
    public FaultProxy? Proxy { get; private set; }

    public EdgeHost Edge { get; private set; } = null!;

    /// <summary>Cached and uncached paths interleaved, so every visitor hits both kinds.</summary>
    public static IReadOnlyList<string> MixedPaths =>
        [.. Enumerable.Range(0, Math.Max(UncachedPaths.Length, CachedPaths.Length) * 2)
            .Select(i => i % 2 == 0 ? CachedPaths[i / 2 % CachedPaths.Length] : UncachedPaths[i / 2 % UncachedPaths.Length])];

    public static bool IsUncached(string path) => path.StartsWith("/events/", StringComparison.Ordinal);

    public static async Task<FailoverRig> StartAsync(bool faultProxy = false)
    {
        var dir = new TempDir("tandem-failover");
        var credentials = TestOrigin.NewCredentials();
        var (s3Port, websitePort) = (OriginProcess.FreePort(), OriginProcess.FreePort());
        var (primary, standby) = await StartOriginsAsync(dir, credentials, $"127.0.0.1:{s3Port}", $"127.0.0.1:{websitePort}");
        var rig = new FailoverRig(dir, s3Port, websitePort, credentials, primary, standby);
        try
        {
            await Task.WhenAll(
                SiteSetup.DeployAsync(primary.S3Url, credentials, SiteSetup.ExampleSite),
                SiteSetup.DeployAsync(standby.S3Url, credentials, SiteSetup.ExampleSite));
            if (faultProxy)
            {
                rig.Proxy = await FaultProxy.StartAsync(primary.WebsiteUrl);

                // A cold proxy's first answer can take longer than the probe timeout, and the edge would rightly leave it.
                using var warm = new HttpClient();
                (await warm.GetAsync(rig.Proxy.Url + "/")).EnsureSuccessStatusCode();
            }

            rig.Edge = await EdgeFixture.StartAsync(EdgeFixture.Options(
                [("primary", rig.Proxy?.Url ?? primary.WebsiteUrl), ("standby", standby.WebsiteUrl)],
                new DistributionConfig
                {
                    OriginGroups = new() { ["site"] = new OriginGroupConfig { Origins = ["primary", "standby"], FailoverStatusCodes = [403, 404, 500, 502, 503, 504] } },
                    Behaviors =
                    [
                        new BehaviorConfig { PathPattern = "/events/*", Target = "site", CachePolicy = new CachePolicyConfig { MinTtl = 0, DefaultTtl = 0, MaxTtl = 0 } },
                        new BehaviorConfig { PathPattern = "*", Target = "site" },
                    ],
                    CustomErrorResponses = [new CustomErrorResponseConfig { ErrorCode = 404, ResponsePagePath = "/404.html", TtlSeconds = 5 }],
                }));
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts `tandem origin` processes for the primary and the standby in DIR/primary and
    /// DIR/standby at once; when either fails to start, stops the other and removes DIR.
    /// </summary>
    public static async Task<(OriginProcess Primary, OriginProcess Standby)> StartOriginsAsync(TempDir dir, S3Credentials credentials,
        string primaryS3Listen = "127.0.0.1:0", string primaryWebsiteListen = "127.0.0.1:0")
    {
        var primaryStart = OriginProcess.StartAsync(dir.Combine("primary"), credentials, primaryS3Listen, primaryWebsiteListen);
        var standbyStart = OriginProcess.StartAsync(dir.Combine("standby"), credentials);
        try
        {
            await Task.WhenAll(primaryStart, standbyStart);
        }
        catch
        {
            foreach (var started in new[] { primaryStart, standbyStart }.Where(t => t.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            dir.Dispose();
            throw;
        }

        return (primaryStart.Result, standbyStart.Result);
    }

    /// <summary>Starts a new primary on the old one's data directory and ports.</summary>
    public async Task RestartPrimaryAsync()
    {
        await Primary.DisposeAsync();
        Primary = await OriginProcess.StartAsync(_dir.Combine("primary"), Credentials, $"127.0.0.1:{_s3Port}", $"127.0.0.1:{_websitePort}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.DisposeAsync();
        }

        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        await Primary.DisposeAsync();
        await Standby.DisposeAsync();
        _dir.Dispose();
    }
}

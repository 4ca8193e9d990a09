using System.Net;
using System.Text.RegularExpressions;
using Tandem.Core.Releases;
using Tandem.Deploy;
using Tandem.Edge.Admin;
using Tandem.FunctionalTests.Edge;
using Tandem.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Tandem.FunctionalTests.Deploy;

/// <summary>
/// `tandem deploy` and `tandem rollback` through real edges started from the same config: the
/// edges switch with the deploy, at once and together; a failed origin or a down edge leaves the
/// old release live everywhere; and a rollback under load never shows a visitor a mix of releases.
/// </summary>
[Collection(EdgeLoadCollection.Name)]
public sealed partial class DeployEdgeTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A site whose every file names <paramref name="version"/>, except shared.txt; the page references its assets.</summary>
    private static void PutSite(DeployRig rig, string version)
    {
        rig.Put("index.html", $"<!doctype html><title>{version}</title><link rel=\"stylesheet\" href=\"/css/site.css\"><script src=\"/app.js\"></script><p>page {version}</p>\n");
        rig.Put("app.js", $"// script {version}\n");
        rig.Put("css/site.css", $"/* style {version} */\n");
        rig.Put("404.html", $"<p>not found {version}</p>\n");
        rig.Put("shared.txt", "the same in every release\n");
        rig.Put("docs/index.html", $"<p>docs {version}</p>\n");
    }

    /// <summary>Puts <paramref name="version"/> into the folder and deploys it (the first time after setup); the deploy must succeed.</summary>
    private static async Task<DeployResult> DeployVersionAsync(DeployRig rig, string version, bool afterSetup = false)
    {
        PutSite(rig, version);
        var (result, output) = afterSetup ? await rig.DeployAfterSetupAsync() : await rig.DeployAsync();
        Assert.True(result.ExitCode == 0, output);
        return result;
    }

    [Fact]
    public async Task Deploy_ThroughAnEdge_SwitchesAtOnceKeepsUnchangedCachedAndReleasesListsTheEdge()
    {
        await using var rig = await DeployRig.StartAsync(edges: 1);
        await rig.StartEdgeAsync("edge-1");
        var url = rig.EdgeUrl("edge-1");
        PutSite(rig, "v1");

        var (first, firstOutput) = await rig.DeployAfterSetupAsync();
        Assert.True(first.ExitCode == 0 && first.Live, firstOutput);
        Assert.Contains("edge-1: edge serves release " + first.ReleaseId, firstOutput, StringComparison.Ordinal);
        await AssertServesAsync(url, "/", first.ReleaseId!, "page v1");
        await AssertServesAsync(url, "/app.js", first.ReleaseId!, "script v1");
        await AssertServesAsync(url, "/shared.txt", first.ReleaseId!, "the same");
        Assert.Equal("Hit", (await GetAsync(url, "/app.js")).Cache);
        Assert.Equal("Hit", (await GetAsync(url, "/shared.txt")).Cache);
        var missing = await GetAsync(url, "/nope.html");
        Assert.Equal(404, missing.Status);
        Assert.Contains("not found v1", missing.Body, StringComparison.Ordinal);
        var folder = await GetAsync(url, "/docs");
        Assert.Equal((302, "/docs/"), (folder.Status, folder.Location));
        await AssertServesAsync(url, "/docs/", first.ReleaseId!, "docs v1");

        // One file changed, same size: the edge serves the new bytes on the first request after the deploy.
        rig.Put("app.js", "// script v2\n");
        var (second, secondOutput) = await rig.DeployAsync();

        Assert.True(second.ExitCode == 0 && second.Live && second.ReleaseId != first.ReleaseId, secondOutput);
        var changed = await AssertServesAsync(url, "/app.js", second.ReleaseId!, "script v2");
        Assert.NotEqual("Hit", changed.Cache);
        var unchanged = await GetAsync(url, "/shared.txt");
        Assert.Equal((200, "Hit", second.ReleaseId), (unchanged.Status, unchanged.Cache, unchanged.Release));
        await AssertServesAsync(url, "/", second.ReleaseId!, "page v1");

        // `tandem releases`, the executable: live on both origins and on the edge.
        var releases = await ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, "releases", "--config", rig.ConfigPath], workingDirectory: rig.Dir.Path, timeout: TimeSpan.FromMinutes(2));
        Assert.True(releases.ExitCode == 0, releases.StdOut + releases.StdErr);
        var line = releases.StdOut.Split('\n').Single(l => l.StartsWith(second.ReleaseId!, StringComparison.Ordinal));
        Assert.EndsWith("primary, standby, edge-1", line.TrimEnd(), StringComparison.Ordinal);
        var old = releases.StdOut.Split('\n').Single(l => l.StartsWith(first.ReleaseId!, StringComparison.Ordinal));
        Assert.EndsWith("-", old.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_TwoEdges_BothLiveOnTheNewReleaseWhenDeployReturns()
    {
        await using var rig = await DeployRig.StartAsync(edges: 2);
        await rig.StartEdgeAsync("edge-1");
        await rig.StartEdgeAsync("edge-2");
        var first = await DeployVersionAsync(rig, "v1", afterSetup: true);
        PutSite(rig, "v2");

        var (second, output) = await rig.DeployAsync();
        var status = await ReleaseClient.StatusAsync(rig.Load(), default);

        Assert.True(second.ExitCode == 0 && second.Live, output);
        Assert.Equal(2, status.Count);
        Assert.All(status, s => Assert.True(s.Ok && s.Value!.Live == second.ReleaseId, $"{s.Edge}: {s.Error} live {s.Value?.Live}"));
        foreach (var edge in rig.EdgeNames)
        {
            Assert.Contains($"{edge}: edge serves release {second.ReleaseId}", output, StringComparison.Ordinal);
            await AssertServesAsync(rig.EdgeUrl(edge), "/", second.ReleaseId!, "page v2");
            await AssertServesAsync(rig.EdgeUrl(edge), "/app.js", second.ReleaseId!, "script v2");
        }
    }

    [Fact]
    public async Task Deploy_NothingToUploadButAnEdgeBehind_SwitchesThatEdge()
    {
        await using var rig = await DeployRig.StartAsync(edges: 1);
        await rig.StartEdgeAsync("edge-1");
        var url = rig.EdgeUrl("edge-1");
        var v1 = await DeployVersionAsync(rig, "v1", afterSetup: true);
        var v2 = await DeployVersionAsync(rig, "v2");

        // The edge falls behind (as one restarted from an old state would): it serves v1 again.
        var back = await ReleaseClient.ActivateAsync(rig.Load(), v1.ReleaseId!, [], default);
        Assert.True(back.Single().Ok, back.Single().Error);
        await AssertServesAsync(url, "/", v1.ReleaseId!, "page v1");

        // A dry run only says so.
        var (dry, dryOutput) = await rig.DeployAsync(new DeployOptions { DryRun = true });
        Assert.True(dry.ExitCode == 0, dryOutput);
        Assert.Contains($"edge-1 (serving {v1.ReleaseId}): would switch to {v2.ReleaseId}", dryOutput, StringComparison.Ordinal);
        await AssertServesAsync(url, "/", v1.ReleaseId!, "page v1");

        var (again, output) = await rig.DeployAsync();

        Assert.True(again.ExitCode == 0 && again.ReleaseId == v2.ReleaseId, output);
        Assert.Contains("nothing to upload", output, StringComparison.Ordinal);
        Assert.Contains($"edge-1 (serving {v1.ReleaseId}): switching to {v2.ReleaseId}", output, StringComparison.Ordinal);
        await AssertServesAsync(url, "/", v2.ReleaseId!, "page v2");
    }

    [Fact]
    public async Task Deploy_StandbyKilledPartway_EdgeKeepsOldReleaseAndRerunFinishesWithoutUploadingAgain()
    {
        int s3Port = OriginProcess.FreePort(), webPort = OriginProcess.FreePort();
        await using var rig = await DeployRig.StartAsync(standbyAsProcess: true, standbyS3Port: s3Port, standbyWebPort: webPort, edges: 1);
        await rig.StartEdgeAsync("edge-1");
        var url = rig.EdgeUrl("edge-1");
        var v1 = await DeployVersionAsync(rig, "v1", afterSetup: true);

        PutSite(rig, "v2");
        rig.PutRandomFiles("pages", 300, seed: 7);
        var (first, firstOutput) = await rig.DeployKillingStandbyAsync(afterFiles: 40);

        Assert.True(first.ExitCode != 0 && !first.Live, firstOutput);
        Assert.Contains("standby: FAILED", firstOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("edge serves release", firstOutput, StringComparison.Ordinal);
        Assert.Equal(v1.ReleaseId, Assert.Single(await ReleaseClient.StatusAsync(rig.Load(), default)).Value!.Live);
        await AssertServesAsync(url, "/", v1.ReleaseId!, "page v1");
        await AssertServesAsync(url, "/app.js", v1.ReleaseId!, "script v1");
        var standbyBefore = first.Origins.Single(o => o.Origin == "standby");

        rig.RestartStandby(await OriginProcess.StartAsync(rig.Dir.Combine("standby-data"), rig.Standby.Credentials, $"127.0.0.1:{s3Port}", $"127.0.0.1:{webPort}"));
        var (second, secondOutput) = await rig.DeployAsync();

        Assert.True(second.ExitCode == 0 && second.Live && second.ReleaseId == first.ReleaseId, secondOutput);
        Assert.True(second.Origins.Single(o => o.Origin == "primary") is { Uploaded: 0, Copied: 0, Unchanged: 306 }, secondOutput);
        var standby = second.Origins.Single(o => o.Origin == "standby");
        Assert.True(standby.Unchanged >= 40 && standby.Unchanged >= standbyBefore.Uploaded + standbyBefore.Copied - 16, secondOutput);
        await AssertServesAsync(url, "/", second.ReleaseId!, "page v2");
        await AssertServesAsync(url, "/app.js", second.ReleaseId!, "script v2");
        var page = await GetAsync(url, "/pages/p123.bin");
        Assert.Equal((200, second.ReleaseId), (page.Status, page.Release));
    }

    [Fact]
    public async Task Rollback_BackAndForthUnderLoadThroughTheEdge_NoErrorsAndNoVisitorSeesTwoReleases()
    {
        await using var rig = await DeployRig.StartAsync(edges: 1);
        await rig.StartEdgeAsync("edge-1");
        var url = rig.EdgeUrl("edge-1");
        var a = await DeployVersionAsync(rig, "vA", afterSetup: true);
        var b = await DeployVersionAsync(rig, "vB");
        var versions = new Dictionary<string, string> { [a.ReleaseId!] = "vA", [b.ReleaseId!] = "vB" };

        await using var load = new LoadGenerator(url, ["/", "/app.js", "/css/site.css", "/shared.txt"], visitors: 4, maxDuration: TimeSpan.FromMinutes(3));
        using var stop = new CancellationTokenSource();
        var visitors = Enumerable.Range(0, 3).Select(_ => Task.Run(() => VisitAsync(url, stop.Token))).ToList();

        // Six rollbacks, alternating; each waits until a visitor has loaded pages since the last.
        var target = b.ReleaseId!;
        for (var i = 0; i < 6; i++)
        {
            target = target == a.ReleaseId ? b.ReleaseId! : a.ReleaseId!;
            var (exit, output) = await rig.RollbackAsync(target);
            Assert.True(exit == 0, output);
            Assert.Contains($"edge-1: edge serves release {target}", output, StringComparison.Ordinal);
            var served = await GetAsync(url, "/app.js");
            Assert.Equal(target, served.Release);
            Assert.Contains("script " + versions[target], served.Body, StringComparison.Ordinal);
            var seen = load.Samples.Count;
            Assert.True(await load.WaitForAsync(s => s.Count >= seen + 20, Patience), "the load stalled");
        }

        await stop.CancelAsync();
        var results = await Task.WhenAll(visitors);
        await load.StopAsync();
        var samples = load.Samples;
        var bad = samples.Where(s => s.Error is not null || s.Status != 200).ToList();
        var pages = results.Sum(r => r.Pages);
        var mixed = results.SelectMany(r => r.Mixed).ToList();
        var seenVersions = results.SelectMany(r => r.Versions).Distinct().Order(StringComparer.Ordinal).ToList();
        log.WriteLine($"{samples.Count} load responses, {bad.Count} bad; visitors loaded {pages} pages ({string.Join(", ", seenVersions)}), {mixed.Count} mixed");
        Assert.True(bad.Count == 0, string.Join("\n", bad.Take(10).Select(s => $"{s.Path} {s.Status} {s.Error}")));
        Assert.True(mixed.Count == 0, string.Join("\n", mixed.Take(10)));
        Assert.True(pages >= 10, $"the visitors loaded only {pages} pages");
        Assert.Equal(["vA", "vB"], seenVersions);
        await AssertServesAsync(url, "/", target, "page " + versions[target]);
    }

    [Fact]
    public async Task Deploy_EdgeDown_NothingMadeLiveAnywhere()
    {
        await using var rig = await DeployRig.StartAsync(edges: 1);
        await rig.StartEdgeAsync("edge-1");
        var v1 = await DeployVersionAsync(rig, "v1", afterSetup: true);
        var primaryLive = await LiveJsonAsync(rig.Primary, "");
        var standbyLive = await LiveJsonAsync(rig.Standby, DeployRig.StandbyPrefix);
        Assert.Contains(v1.ReleaseId!, primaryLive, StringComparison.Ordinal);

        await rig.StopEdgeAsync("edge-1");
        PutSite(rig, "v2");
        var (down, output) = await rig.DeployAsync();

        Assert.True(down.ExitCode != 0 && !down.Live, output);
        Assert.Contains("edge-1: edge could not prepare release " + down.ReleaseId, output, StringComparison.Ordinal);
        Assert.Equal(primaryLive, await LiveJsonAsync(rig.Primary, ""));
        Assert.Equal(standbyLive, await LiveJsonAsync(rig.Standby, DeployRig.StandbyPrefix));
        Assert.Contains("page v1", (await rig.BrowsePrimaryAsync("/")).Body, StringComparison.Ordinal);
        Assert.Contains("page v1", (await rig.BrowseStandbyAsync("/")).Body, StringComparison.Ordinal);

        // The edge back (from its state: v1 at once), the same deploy goes live everywhere.
        await rig.StartEdgeAsync("edge-1");
        var url = rig.EdgeUrl("edge-1");
        await AssertServesAsync(url, "/", v1.ReleaseId!, "page v1");
        var (again, againOutput) = await rig.DeployAsync();
        Assert.True(again.ExitCode == 0 && again.Live && again.ReleaseId == down.ReleaseId, againOutput);
        await AssertServesAsync(url, "/", again.ReleaseId!, "page v2");
        Assert.Contains(again.ReleaseId!, await LiveJsonAsync(rig.Primary, ""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_OriginLosesTheLiveManifest_EdgeProbesLeaveItOutAndANewEdgeReadsItFromTheStandby()
    {
        await using var rig = await DeployRig.StartAsync(edges: 2);
        var edge = await rig.StartEdgeAsync("edge-1");
        await rig.StartEdgeAsync("edge-2");
        var url = rig.EdgeUrl("edge-1");
        var v1 = await DeployVersionAsync(rig, "v1", afterSetup: true);
        await rig.StopEdgeAsync("edge-2");
        Directory.Delete(rig.Dir.Combine("state", "edge-2"), recursive: true);
        await WaitForAsync(() => edge.Origins.All(o => o.Health.IsHealthy), "both origins healthy under the release");

        // The primary no longer holds the release whole. Its website endpoint, with deploy's
        // routing rules, answers the probe of the manifest with a redirect into the live release.
        using (var s3 = rig.Primary.Client())
        {
            await s3.DeleteObjectAsync(RunningOriginExtensions.Bucket, ReleaseLayout.ManifestKey("", v1.ReleaseId!));
        }

        await WaitForAsync(() => !edge.Origins.Single(o => o.Name == "primary").Health.IsHealthy, "the edge to leave the primary out");
        var got = await AssertServesAsync(url, "/css/site.css", v1.ReleaseId!, "style v1");
        Assert.Equal("standby", got.Origin);

        // An edge that lost its state: live.json from the primary,
        // the manifest from the standby, since the primary's redirect stands for a 404.
        await rig.StartEdgeAsync("edge-2");
        await WaitForAsync(async () => (await GetAsync(rig.EdgeUrl("edge-2"), "/app.js")).Release == v1.ReleaseId, "edge-2 to adopt the live release");
        await AssertServesAsync(rig.EdgeUrl("edge-2"), "/", v1.ReleaseId!, "page v1");
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < Patience, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    private static async Task<string> LiveJsonAsync(IRunningOrigin origin, string prefix)
    {
        using var s3 = origin.Client();
        using var response = await s3.GetObjectAsync(RunningOriginExtensions.Bucket, ReleaseLayout.LiveKey(prefix));
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync();
    }

    /// <summary>
    /// A browser-like visitor with its own cookies: a page, then every asset it references; each
    /// body must name the page's version. Stops between page loads only.
    /// </summary>
    private static async Task<(int Pages, List<string> Mixed, HashSet<string> Versions)> VisitAsync(string url, CancellationToken stop)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(url),
            Timeout = TimeSpan.FromSeconds(60),
        };
        var mixed = new List<string>();
        var versions = new HashSet<string>(StringComparer.Ordinal);
        var pages = 0;
        while (!stop.IsCancellationRequested)
        {
            using var page = new HttpRequestMessage(HttpMethod.Get, "/");
            page.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
            using var pageResponse = await http.SendAsync(page, CancellationToken.None);
            var html = await pageResponse.Content.ReadAsStringAsync(CancellationToken.None);
            var version = PageVersion().Match(html) is { Success: true } m ? m.Groups[1].Value : null;
            if (pageResponse.StatusCode != HttpStatusCode.OK || version is null)
            {
                mixed.Add($"page: {(int)pageResponse.StatusCode} {html}");
                continue;
            }

            pages++;
            versions.Add(version);
            var assets = AssetReference().Matches(html).Select(a => a.Groups[1].Value).ToList();
            if (assets.Count != 2)
            {
                mixed.Add($"page {version} references {assets.Count} assets: {html}");
            }

            foreach (var asset in assets)
            {
                using var response = await http.GetAsync(asset, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK || !Regex.IsMatch(body, $@"\b{version}\b"))
                {
                    mixed.Add($"page {version}, {asset}: {(int)response.StatusCode} {body.Trim()}");
                }
            }
        }

        return (pages, mixed, versions);
    }

    [GeneratedRegex("<p>page (v[A-Za-z0-9]+)</p>")]
    private static partial Regex PageVersion();

    [GeneratedRegex("(?:href|src)=\"(/[^\"]+)\"")]
    private static partial Regex AssetReference();

    private sealed record Got(int Status, string Body, string? Cache, string? Release, string? Location, string? Origin);

    private static async Task<Got> GetAsync(string url, string path)
    {
        using var response = await Http.GetAsync(url + path);
        static string? One(HttpResponseMessage r, string name) => r.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;
        return new Got((int)response.StatusCode, await response.Content.ReadAsStringAsync(), One(response, "X-Cache"), One(response, "X-Tandem-Release"), response.Headers.Location?.OriginalString, One(response, "X-Tandem-Origin"));
    }

    private static async Task<Got> AssertServesAsync(string url, string path, string release, string text)
    {
        var got = await GetAsync(url, path);
        Assert.True(got.Status == 200, $"{path}: {got.Status} {got.Body}");
        Assert.Contains(text, got.Body, StringComparison.Ordinal);
        Assert.Equal(release, got.Release);
        return got;
    }
}

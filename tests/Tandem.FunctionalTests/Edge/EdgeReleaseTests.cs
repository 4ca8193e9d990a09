using System.Diagnostics;
using System.Net;
using Tandem.Core.Releases;
using Tandem.Edge;
using Tandem.Edge.Admin;
using Tandem.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Tandem.FunctionalTests.Edge;

/// <summary>
/// An edge following releases written on real origin processes: prepare and activate through
/// the client `tandem deploy` uses, a switch that shows at once and keeps unchanged files cached,
/// state that survives a restart, live.json for a fresh edge, a dead primary, and switches under
/// load where no visitor ever gets a page of one release with assets of another.
/// </summary>
[Collection(EdgeLoadCollection.Name)]
public sealed class EdgeReleaseTests(ITestOutputHelper output)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Release_PrepareActivateSwitchRestart_ServesEachReleaseAtOnce()
    {
        await using var rig = await ReleaseRig.StartAsync();
        var a = await rig.UploadAsync(ReleaseRig.Site("A"));
        var b = await rig.UploadAsync(ReleaseRig.Site("B"));
        var state = rig.Dir.Combine("edge-state");
        var edge = await rig.StartEdgeAsync(state);
        var config = rig.ConfigFor(edge);
        var url = edge.HttpUrl!.ToString().TrimEnd('/');

        // Wrong token, unknown release, malformed id: clear errors, nothing changes.
        var denied = Assert.Single(await ReleaseClient.PrepareAsync(rig.ConfigFor(edge, "wrong"), a, default));
        Assert.False(denied.Ok);
        Assert.StartsWith("401", denied.Error, StringComparison.Ordinal);
        var unknown = Assert.Single(await ReleaseClient.PrepareAsync(config, "0123456789ab", default));
        Assert.False(unknown.Ok);
        Assert.StartsWith("404", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("no origin", unknown.Error, StringComparison.Ordinal);
        var notPrepared = Assert.Single(await ReleaseClient.ActivateAsync(config, a, [], default));
        Assert.False(notPrepared.Ok);
        Assert.StartsWith("409", notPrepared.Error, StringComparison.Ordinal);
        Assert.Contains("prepare", notPrepared.Error, StringComparison.Ordinal);
        var malformed = Assert.Single(await ReleaseClient.PrepareAsync(config, "../etc", default));
        Assert.StartsWith("400", malformed.Error, StringComparison.Ordinal);
        Assert.Null(Assert.Single(await ReleaseClient.StatusAsync(config, default)).Value!.Live);

        // Release A.
        var prepared = Assert.Single(await ReleaseClient.PrepareAsync(config, a, default));
        Assert.True(prepared.Ok, prepared.Error);
        Assert.Contains(a, prepared.Value!.Known);
        Assert.Null(prepared.Value.Live);
        var activated = Assert.Single(await ReleaseClient.ActivateAsync(config, a, [], default));
        Assert.True(activated.Ok, activated.Error);
        Assert.Equal(new ActivateReleaseResponse(a, null, 0), activated.Value);
        await AssertServesAsync(url, "/", a, "page A");
        await AssertServesAsync(url, "/app.js", a, "script A");
        await AssertServesAsync(url, "/docs/", a, "docs A");
        await AssertServesAsync(url, "/shared.txt", a, "the same");
        Assert.Equal("Hit", (await GetAsync(url, "/shared.txt")).Cache);
        var missing = await GetAsync(url, "/nope.html");
        Assert.Equal(404, missing.Status);
        Assert.Contains("not found A", missing.Body, StringComparison.Ordinal);
        var folder = await GetAsync(url, "/docs");
        Assert.Equal(302, folder.Status);
        Assert.Equal("/docs/", folder.Location);
        Assert.Equal(404, (await GetAsync(url, "/_tandem/releases/" + a + ".json")).Status);
        Assert.Equal(404, (await GetAsync(url, "/_tandem/live.json")).Status);

        // Probes now ask for A's manifest (the bucket root has no index): both origins stay healthy.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.All(edge.Origins, o => Assert.True(o.Health.IsHealthy, $"{o.Name}: {o.Health.Snapshot().LastError}"));
        using (var statusRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(edge.AdminUrl, "status")))
        {
            statusRequest.Headers.Authorization = new("Bearer", EdgeFixture.AdminToken);
            using var statusResponse = await Http.SendAsync(statusRequest);
            Assert.Contains($"\"live\": \"{a}\"", await statusResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Release B: changed files at once, the unchanged one still a hit.
        Assert.True(Assert.Single(await ReleaseClient.PrepareAsync(config, b, default)).Ok);
        var switched = Assert.Single(await ReleaseClient.ActivateAsync(config, b, ["/index.html"], default));
        Assert.True(switched.Ok, switched.Error);
        Assert.Equal(a, switched.Value!.Previous);
        await AssertServesAsync(url, "/", b, "page B");
        await AssertServesAsync(url, "/app.js", b, "script B");
        var shared = await GetAsync(url, "/shared.txt");
        Assert.Equal("Hit", shared.Cache);
        Assert.Equal(b, shared.Release);
        // A visitor whose page came from A still gets A's assets; a page load moves it to B; an unknown pin is ignored.
        var pinned = await GetAsync(url, "/app.js", "tandem_release=" + a);
        Assert.Contains("script A", pinned.Body, StringComparison.Ordinal);
        Assert.Equal(a, pinned.Release);
        Assert.Null(pinned.SetCookie);
        var page = await GetAsync(url, "/docs/", "tandem_release=" + a);
        Assert.Contains("docs B", page.Body, StringComparison.Ordinal);
        Assert.StartsWith("tandem_release=" + b, page.SetCookie, StringComparison.Ordinal);
        Assert.Contains("script B", (await GetAsync(url, "/app.js", "tandem_release=ffffffffffff")).Body, StringComparison.Ordinal);

        var status = Assert.Single(await ReleaseClient.StatusAsync(config, default)).Value!;
        Assert.Equal(b, status.Live);
        Assert.Contains(a, status.Known);

        // Restarted with its state folder: B at once, though no origin has a live.json to ask.
        await rig.StopEdgeAsync(edge);
        edge = await rig.StartEdgeAsync(state);
        url = edge.HttpUrl!.ToString().TrimEnd('/');
        await AssertServesAsync(url, "/", b, "page B");

        // A fresh edge with no state follows the origins' live.json.
        await rig.WriteLiveAsync(a);
        var fresh = await rig.StartEdgeAsync(rig.Dir.Combine("fresh-state"));
        var freshUrl = fresh.HttpUrl!.ToString().TrimEnd('/');
        await WaitForAsync(async () => (await GetAsync(freshUrl, "/app.js")).Release == a, "the fresh edge to adopt live.json");
        await AssertServesAsync(freshUrl, "/app.js", a, "script A");
        Assert.True(File.Exists(Path.Combine(rig.Dir.Combine("fresh-state"), "releases.json")));

        // Primary killed: prepare reads the manifest from the standby (under its own prefix), which then serves C.
        var c = await rig.UploadAsync(ReleaseRig.Site("C"));
        rig.Primary.KillHard();
        config = rig.ConfigFor(edge);
        var viaStandby = Assert.Single(await ReleaseClient.PrepareAsync(config, c, default));
        Assert.True(viaStandby.Ok, viaStandby.Error);
        Assert.True(Assert.Single(await ReleaseClient.ActivateAsync(config, c, [], default)).Ok);
        var fromStandby = await AssertServesAsync(url, "/app.js", c, "script C");
        Assert.Equal("standby", fromStandby.Origin);
    }

    [Fact]
    public async Task Release_SwitchingBackAndForthUnderLoad_NoErrorsAndNoPageMixesReleases()
    {
        await using var rig = await ReleaseRig.StartAsync();
        var ids = new Dictionary<string, string>
        {
            [await rig.UploadAsync(ReleaseRig.Site("A"))] = "A",
            [await rig.UploadAsync(ReleaseRig.Site("B"))] = "B",
        };
        var edge = await rig.StartEdgeAsync(rig.Dir.Combine("edge-state"));
        var config = rig.ConfigFor(edge);
        var url = edge.HttpUrl!.ToString().TrimEnd('/');
        foreach (var id in ids.Keys)
        {
            Assert.True(Assert.Single(await ReleaseClient.PrepareAsync(config, id, default)).Ok);
        }

        Assert.True(Assert.Single(await ReleaseClient.ActivateAsync(config, ids.Keys.First(), [], default)).Ok);
        await using var load = new LoadGenerator(url, ["/", "/app.js", "/css/site.css", "/shared.txt", "/docs/", "/nope.png"], visitors: 6, maxDuration: TimeSpan.FromSeconds(60));
        using var stop = new CancellationTokenSource();
        var visitor = Task.Run(() => VisitAsync(url, stop.Token));

        var switches = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(6))
        {
            var next = ids.Keys.ElementAt(++switches % 2);
            var r = Assert.Single(await ReleaseClient.ActivateAsync(config, next, ["/index.html", "/app.js", "/css/*"], default));
            Assert.True(r.Ok, r.Error);
            await Task.Delay(150);
        }

        await stop.CancelAsync();
        var (pages, mixed) = await visitor;
        await load.StopAsync();
        var samples = load.Samples;
        var bad = samples.Where(s => s.Error is not null || (s.Status != 200 && !(s.Path == "/nope.png" && s.Status == 404))).ToList();
        output.WriteLine($"{switches} switches, {samples.Count} load responses, {bad.Count} bad; visitor loaded {pages} pages, {mixed.Count} mixed");
        Assert.True(bad.Count == 0, string.Join("\n", bad.Take(10).Select(s => $"{s.Path} {s.Status} {s.Error}")));
        Assert.True(mixed.Count == 0, string.Join("\n", mixed.Take(10)));
        Assert.True(pages >= 20, $"the visitor loaded only {pages} pages");
        Assert.True(switches >= 10, $"only {switches} switches");
    }

    /// <summary>
    /// A browser-like visitor: a page (which pins it), then its assets with the cookie; every body must name the page's release.
    /// A page load is never cut short, so <paramref name="stop"/> is checked between page loads only.
    /// </summary>
    private static async Task<(int Pages, List<string> Mixed)> VisitAsync(string url, CancellationToken stop)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(url) };
        var mixed = new List<string>();
        var pages = 0;
        while (!stop.IsCancellationRequested)
        {
            using var page = new HttpRequestMessage(HttpMethod.Get, "/");
            page.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
            using var pageResponse = await http.SendAsync(page, CancellationToken.None);
            var html = await pageResponse.Content.ReadAsStringAsync(CancellationToken.None);
            var letter = html.Contains("page A", StringComparison.Ordinal) ? "A" : html.Contains("page B", StringComparison.Ordinal) ? "B" : null;
            if (letter is null)
            {
                mixed.Add($"page: {(int)pageResponse.StatusCode} {html}");
                continue;
            }

            pages++;
            foreach (var (path, text) in new[] { ("/app.js", "script "), ("/css/site.css", "style ") })
            {
                var body = await http.GetStringAsync(path, CancellationToken.None);
                if (!body.Contains(text + letter, StringComparison.Ordinal))
                {
                    mixed.Add($"page {letter}, {path}: {body.Trim()}");
                }
            }
        }

        return (pages, mixed);
    }

    private sealed record Got(int Status, string Body, string? Cache, string? Release, string? Origin, string? Location, string? SetCookie);

    private static async Task<Got> GetAsync(string url, string path, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url + path);
        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        using var response = await Http.SendAsync(request);
        static string? One(HttpResponseMessage r, string name) => r.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;
        return new Got((int)response.StatusCode, await response.Content.ReadAsStringAsync(), One(response, "X-Cache"), One(response, "X-Tandem-Release"),
            One(response, "X-Tandem-Origin"), response.Headers.Location?.OriginalString, One(response, "Set-Cookie"));
    }

    private static async Task<Got> AssertServesAsync(string url, string path, string release, string text)
    {
        var got = await GetAsync(url, path);
        Assert.True(got.Status == 200, $"{path}: {got.Status} {got.Body}");
        Assert.Contains(text, got.Body, StringComparison.Ordinal);
        Assert.Equal(release, got.Release);
        if (path.EndsWith('/') || path.EndsWith(".html", StringComparison.Ordinal))
        {
            Assert.Equal($"tandem_release={release}; Path=/; Max-Age=300; HttpOnly; SameSite=Lax", got.SetCookie);
        }
        else
        {
            Assert.Null(got.SetCookie);
        }

        return got;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}

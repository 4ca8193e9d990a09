using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Edge;

/// <summary>An edge in front of two real origins holding the example site.</summary>
public sealed class EdgeServingTests
{
    private static async Task<(TestOrigin Primary, TestOrigin Standby)> TwoOriginsAsync()
    {
        var primary = await TestOrigin.StartAsync();
        var standby = await TestOrigin.StartAsync();
        await SiteSetup.DeployAsync(primary.S3Url, primary.Credentials, SiteSetup.ExampleSite);
        await SiteSetup.DeployAsync(standby.S3Url, standby.Credentials, SiteSetup.ExampleSite);
        return (primary, standby);
    }

    private static string Header(HttpResponseMessage r, string name) => r.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : "";

    [Fact]
    public async Task Get_MissThenHit_ServesTheOriginsBytesFromCache()
    {
        var (primary, standby) = await TwoOriginsAsync();
        await using var p = primary;
        await using var s = standby;
        await using var edge = await EdgeFixture.StartAsync(EdgeFixture.Options([("primary", primary.WebsiteUrl), ("standby", standby.WebsiteUrl)]));
        using var http = new HttpClient { BaseAddress = edge.HttpUrl };
        var expected = File.ReadAllBytes(Path.Combine(SiteSetup.ExampleSite, "index.html"));

        using var first = await http.GetAsync("/");
        using var second = await http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("Miss", Header(first, "X-Cache"));
        Assert.Equal("primary", Header(first, "X-Tandem-Origin"));
        Assert.Equal("Hit", Header(second, "X-Cache"));
        Assert.Equal(expected, await second.Content.ReadAsByteArrayAsync());
        Assert.Equal("nosniff", Header(second, "X-Content-Type-Options"));
    }

    [Fact]
    public async Task Get_CompressedAndConditionalAndRange_AnsweredFromCache()
    {
        var (primary, standby) = await TwoOriginsAsync();
        await using var p = primary;
        await using var s = standby;
        await using var edge = await EdgeFixture.StartAsync(EdgeFixture.Options([("primary", primary.WebsiteUrl), ("standby", standby.WebsiteUrl)]));
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = edge.HttpUrl };
        var css = File.ReadAllBytes(Path.Combine(SiteSetup.ExampleSite, "css", "site.css"));

        using var plain = await http.GetAsync("/css/site.css");
        var etag = plain.Headers.ETag!;
        using var gzipRequest = new HttpRequestMessage(HttpMethod.Get, "/css/site.css");
        gzipRequest.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var gzip = await http.SendAsync(gzipRequest);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/css/site.css");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await http.SendAsync(conditional);
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, "/css/site.css");
        rangeRequest.Headers.Range = new RangeHeaderValue(10, 19);
        using var range = await http.SendAsync(rangeRequest);

        Assert.Equal(css, await plain.Content.ReadAsByteArrayAsync());
        Assert.Equal("gzip", string.Join(",", gzip.Content.Headers.ContentEncoding));
        await using (var unzip = new System.IO.Compression.GZipStream(await gzip.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress))
        using (var ms = new MemoryStream())
        {
            await unzip.CopyToAsync(ms);
            Assert.Equal(css, ms.ToArray());
        }

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(css[10..20], await range.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_PrimaryDown_StandbyAnswersAndCustomErrorPageForMissingKeys()
    {
        var (primary, standby) = await TwoOriginsAsync();
        await using var s = standby;
        await using var edge = await EdgeFixture.StartAsync(EdgeFixture.Options([("primary", primary.WebsiteUrl), ("standby", standby.WebsiteUrl)]));
        using var http = new HttpClient { BaseAddress = edge.HttpUrl };
        await primary.DisposeAsync();

        using var page = await http.GetAsync("/events/");
        using var missing = await http.GetAsync("/no/such/page.html");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("standby", Header(page, "X-Tandem-Origin"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("<html", await missing.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Get_EveryOriginDown_CachedPagesStillServedStale()
    {
        var (primary, standby) = await TwoOriginsAsync();
        var options = EdgeFixture.Options([("primary", primary.WebsiteUrl), ("standby", standby.WebsiteUrl)]);
        options.Distribution.Behaviors[0] = options.Distribution.Behaviors[0] with { CachePolicy = new Core.Configuration.CachePolicyConfig { DefaultTtl = 0, MaxTtl = 0 } };
        await using var edge = await EdgeFixture.StartAsync(options);
        using var http = new HttpClient { BaseAddress = edge.HttpUrl };
        using (var warm = await http.GetAsync("/about/"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        await primary.DisposeAsync();
        await standby.DisposeAsync();

        using var stale = await http.GetAsync("/about/");
        using var never = await http.GetAsync("/classes/");

        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("Stale", Header(stale, "X-Cache"));
        Assert.Equal(HttpStatusCode.BadGateway, never.StatusCode);
    }

    [Fact]
    public async Task Invalidate_AdminApiWithToken_DropsThePathAndRefetches()
    {
        var (primary, standby) = await TwoOriginsAsync();
        await using var p = primary;
        await using var s = standby;
        await using var edge = await EdgeFixture.StartAsync(EdgeFixture.Options([("primary", primary.WebsiteUrl), ("standby", standby.WebsiteUrl)]));
        using var http = new HttpClient { BaseAddress = edge.HttpUrl };
        using var admin = new HttpClient { BaseAddress = edge.AdminUrl };
        (await http.GetAsync("/robots.txt")).Dispose();
        using (var s3 = primary.Client())
        {
            await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "site", Key = "robots.txt", ContentBody = "User-agent: *\nDisallow: /\n" });
        }

        using var refused = await admin.PostAsJsonAsync("/invalidations", new { paths = new[] { "/robots.txt" } });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invalidations") { Content = JsonContent.Create(new { paths = new[] { "/robots.txt" } }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", EdgeFixture.AdminToken);
        using var accepted = await admin.SendAsync(request);
        var after = await http.GetStringAsync("/robots.txt");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("User-agent: *\nDisallow: /\n", after);
        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Contains("tandem_edge_requests_total", metrics, StringComparison.Ordinal);
        Assert.Contains("tandem_edge_origin_healthy{origin=\"primary\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_WithAuthorization_BypassesTheCache()
    {
        var (primary, standby) = await TwoOriginsAsync();
        await using var p = primary;
        await using var s = standby;
        await using var edge = await EdgeFixture.StartAsync(EdgeFixture.Options([("primary", primary.WebsiteUrl), ("standby", standby.WebsiteUrl)]));
        using var http = new HttpClient { BaseAddress = edge.HttpUrl };

        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/robots.txt");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("Miss", Header(response, "X-Cache"));
        }

        Assert.Equal(0, edge.Cache.Count);
    }
}

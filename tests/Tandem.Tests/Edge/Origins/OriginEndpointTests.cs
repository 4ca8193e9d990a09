using Tandem.Core.Configuration;
using Tandem.Edge.Origins;

namespace Tandem.Tests.Edge.Origins;

public class OriginEndpointTests
{
    [Fact]
    public void FromConfig_WebsiteEndpoint_HostIsItsAuthority()
    {
        var e = OriginEndpoint.FromConfig("primary", new OriginConfig { WebsiteEndpoint = "http://site.s3-website-us-east-1.amazonaws.com", Region = "us-east" });

        Assert.Equal("primary", e.Name);
        Assert.Equal("us-east", e.Region);
        Assert.Equal("site.s3-website-us-east-1.amazonaws.com", e.HostHeader);
        Assert.Equal("", e.PathPrefix);
        Assert.Equal(1000, e.Connection.ConnectTimeoutMs);
    }

    [Fact]
    public void FromConfig_PortInEndpoint_HostKeepsIt()
    {
        var e = OriginEndpoint.FromConfig("a", new OriginConfig { WebsiteEndpoint = "http://127.0.0.1:9001/" });

        Assert.Equal("127.0.0.1:9001", e.HostHeader);
    }

    [Fact]
    public void FromConfig_HostHeaderSet_UsesIt()
    {
        var e = OriginEndpoint.FromConfig("a", new OriginConfig
        {
            WebsiteEndpoint = "http://127.0.0.1:9001",
            Connection = new OriginConnectionConfig { HostHeader = "site.localhost" },
        });

        Assert.Equal("site.localhost", e.HostHeader);
    }

    [Theory]
    [InlineData("127.0.0.1:9101", "http://127.0.0.1:9101/")]
    [InlineData("*:9101", "http://127.0.0.1:9101/")]
    [InlineData("localhost:9101", "http://127.0.0.1:9101/")]
    [InlineData("[::1]:9101", "http://[::1]:9101/")]
    public void FromConfig_OnlyServer_DerivesFromWebsiteListen(string listen, string expected)
    {
        var e = OriginEndpoint.FromConfig("a", new OriginConfig { Server = new OriginServerConfig { WebsiteListen = listen } });

        Assert.Equal(expected, e.BaseUri.ToString());
    }

    [Fact]
    public void FromConfig_ServerOnPortZero_NamesWebsiteEndpoint()
    {
        var ex = Assert.Throws<ConfigException>(() => OriginEndpoint.FromConfig("a", new OriginConfig { Server = new OriginServerConfig { WebsiteListen = "127.0.0.1:0" } }));

        Assert.Equal("$.origins.a.websiteEndpoint", Assert.Single(ex.Errors).Path);
        Assert.Contains("port 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfig_NeitherEndpointNorServer_NamesWebsiteEndpoint()
    {
        var ex = Assert.Throws<ConfigException>(() => OriginEndpoint.FromConfig("b", new OriginConfig { S3Endpoint = "http://127.0.0.1:9000" }));

        Assert.Equal("$.origins.b.websiteEndpoint", Assert.Single(ex.Errors).Path);
    }

    [Theory]
    [InlineData("ftp://example.com")]
    [InlineData("not a url")]
    [InlineData("http://example.com/?a=1")]
    public void FromConfig_BadWebsiteEndpoint_NamesIt(string url)
    {
        var ex = Assert.Throws<ConfigException>(() => OriginEndpoint.FromConfig("c", new OriginConfig { WebsiteEndpoint = url }));

        Assert.Equal("$.origins.c.websiteEndpoint", Assert.Single(ex.Errors).Path);
    }

    [Theory]
    [InlineData("http://o:1", null, "/a/b.html?x=1", "http://o:1/a/b.html?x=1")]
    [InlineData("http://o:1", "/releases/7", "/a/b.html", "http://o:1/releases/7/a/b.html")]
    [InlineData("http://o:1/site/", "/releases/7", "/", "http://o:1/site/releases/7/")]
    [InlineData("http://o:1", null, "/a%2Fb/c%20d.html", "http://o:1/a%2Fb/c%20d.html")]
    public void RequestUri_Always_PrefixesAndKeepsEscapes(string baseUri, string? originPath, string target, string expected)
    {
        var e = new OriginEndpoint("a", new Uri(baseUri), new OriginConnectionConfig { OriginPath = originPath });

        Assert.Equal(expected, e.RequestUri(target).OriginalString);
    }

    [Fact]
    public void RequestUri_TargetWithoutSlash_Throws()
    {
        var e = new OriginEndpoint("a", new Uri("http://o:1"));

        Assert.Throws<ArgumentException>(() => e.RequestUri("index.html"));
    }

    [Theory]
    [InlineData(null, "aaaaaaaaaaaa", false, "/css/a.css", "http://o:1/site/releases/aaaaaaaaaaaa/css/a.css")]
    [InlineData("www", "aaaaaaaaaaaa", false, "/", "http://o:1/site/www/releases/aaaaaaaaaaaa/")]
    [InlineData("/www/", null, true, "/_tandem/live.json", "http://o:1/site/www/_tandem/live.json")]
    [InlineData(null, null, true, "/_tandem/live.json", "http://o:1/site/_tandem/live.json")]
    [InlineData("www", null, false, "/index.html", "http://o:1/site/index.html")]
    public void Target_ReleaseOrRecord_UnderThisOriginsPrefix(string? prefix, string? release, bool underPrefix, string path, string expected)
    {
        var e = new OriginEndpoint("a", new Uri("http://o:1"), new OriginConnectionConfig { OriginPath = "/site" }, prefix: prefix);
        var request = new OriginRequest { Method = HttpMethod.Get, PathAndQuery = path, Release = release, UnderPrefix = underPrefix };

        Assert.Equal(expected, e.RequestUri(e.Target(request)).OriginalString);
    }

    [Theory]
    [InlineData("/", null, null, "/")]
    [InlineData("/", "www", "aaaaaaaaaaaa", "/www/_tandem/releases/aaaaaaaaaaaa.json")]
    [InlineData("/", null, "aaaaaaaaaaaa", "/_tandem/releases/aaaaaaaaaaaa.json")]
    [InlineData("/health.txt", null, "aaaaaaaaaaaa", "/health.txt")]
    public void ProbePath_LiveReleaseAndDefaultPath_ReleaseManifest(string checkPath, string? prefix, string? live, string expected)
    {
        var e = new OriginEndpoint("a", new Uri("http://o:1"), new OriginConnectionConfig { HealthCheck = new HealthCheckConfig { Path = checkPath } }, prefix: prefix);

        Assert.Equal(expected, HealthProber.ProbePath(e, live));
    }
}

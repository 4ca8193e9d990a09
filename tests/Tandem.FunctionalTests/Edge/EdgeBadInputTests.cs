using System.Net;
using System.Net.Sockets;
using System.Text;
using Tandem.Edge;
using Tandem.FunctionalTests.Infrastructure;
using Xunit.Abstractions;

namespace Tandem.FunctionalTests.Edge;

/// <summary>What visitors and operators get wrong: broken requests to a running edge, and broken edge configs to the CLI.</summary>
public sealed class EdgeBadInputTests(ITestOutputHelper output)
{
    /// <summary>An edge in front of one in-process origin holding the example site; disposing stops both.</summary>
    private sealed record Site(TestOrigin Origin, EdgeHost Edge) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Edge.DisposeAsync();
            await Origin.DisposeAsync();
        }
    }

    private static async Task<Site> StartAsync()
    {
        var origin = await TestOrigin.StartAsync();
        try
        {
            await SiteSetup.DeployAsync(origin.S3Url, origin.Credentials, SiteSetup.ExampleSite);
            return new Site(origin, await EdgeFixture.StartAsync(EdgeFixture.Options([("primary", origin.WebsiteUrl)])));
        }
        catch
        {
            await origin.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> as they are and reads what comes back until the edge closes.</summary>
    private static async Task<RawResponse> SendBytesAsync(Uri edge, byte[] bytes)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = await RawHttp.ConnectAsync(edge.ToString());
        var stream = client.GetStream();
        await stream.WriteAsync(bytes, cts.Token);
        return await RawHttp.ReadResponseAsync(stream, cts.Token);
    }

    private static RawRequest Get(EdgeHost edge, string target, string method = "GET") => new(method, target, edge.HttpUrl!.Authority);

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET /\r\n\r\n")]
    [InlineData("GET / HTTP/9.9\r\nHost: x\r\n\r\n")]
    [InlineData("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n")]
    public async Task Request_Malformed_400AndTheEdgeKeepsServing(string request)
    {
        await using var site = await StartAsync();
        var edge = site.Edge;

        var response = await SendBytesAsync(edge.HttpUrl!, Encoding.ASCII.GetBytes(request));
        output.WriteLine($"{request.ReplaceLineEndings("|")}: {response.Status}");
        using var http = new HttpClient { BaseAddress = edge.HttpUrl };
        using var after = await http.GetAsync("/");

        Assert.True(response.Status is 400 or 505, $"expected 400 (or 505 for the version), got {response.Status}");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Request_100KbHeader_431()
    {
        await using var site = await StartAsync();
        var edge = site.Edge;

        var response = await RawHttp.SendAsync(edge.HttpUrl!.ToString(), Get(edge, "/").Header("X-Big", new string('a', 100 * 1024)));

        Assert.Equal(431, response.Status);
    }

    [Theory]
    [InlineData("/../../etc/passwd")]
    [InlineData("/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd")]
    [InlineData("/..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/css/../../../../etc/passwd")]
    [InlineData("/..\\..\\..\\etc\\passwd")]
    [InlineData("/%5c..%5c..%5cetc%5cpasswd")]
    [InlineData("/%252e%252e/%252e%252e/etc/passwd")]
    [InlineData("/%00/../etc/passwd")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    public async Task Get_PathTraversal_NeverTheFile(string target)
    {
        await using var site = await StartAsync();
        var edge = site.Edge;

        var response = await RawHttp.SendAsync(edge.HttpUrl!.ToString(), Get(edge, target));
        output.WriteLine($"{target}: {response.Status} {response.Header("X-Cache")}");

        Assert.True(response.Status is 400 or 404, $"{target}: expected 400 or the site's 404, got {response.Status}:\n{response.Text}");
        Assert.DoesNotContain("root:", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_GetHeadOptionsBehavior_403()
    {
        await using var site = await StartAsync();
        var edge = site.Edge;
        using var http = new HttpClient { BaseAddress = edge.HttpUrl };

        using var post = await http.PostAsync("/", new StringContent("a=1"));
        using var delete = await http.DeleteAsync("/index.html");

        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
    }

    [Fact]
    public async Task Head_Page_200WithLengthAndNoBody()
    {
        await using var site = await StartAsync();
        var edge = site.Edge;
        var expected = File.ReadAllBytes(Path.Combine(SiteSetup.ExampleSite, "index.html"));

        var cold = await RawHttp.SendAsync(edge.HttpUrl!.ToString(), Get(edge, "/", "HEAD"));
        var warm = await RawHttp.SendAsync(edge.HttpUrl!.ToString(), Get(edge, "/", "HEAD"));

        foreach (var head in new[] { cold, warm })
        {
            Assert.Equal(200, head.Status);
            Assert.Equal(expected.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), head.Header("Content-Length"));
            Assert.Empty(head.Body);
        }

        Assert.Equal("Hit", warm.Header("X-Cache"));
    }

    private static async Task<ExternalTool.Result> TandemEdgeAsync(string dir, params string[] args) =>
        await ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, "edge", .. args], workingDirectory: dir, timeout: TimeSpan.FromMinutes(1));

    /// <summary>A config with one edge; <paramref name="edge"/> is the JSON of edges.e1.</summary>
    private static void WriteConfig(TempDir dir, string edge)
    {
        File.WriteAllText(dir.Combine("admin-token"), "token\n");
        File.WriteAllText(dir.Combine("tandem.json"), $$"""
            {
              "origins": {
                "primary": { "bucket": "site", "websiteEndpoint": "http://127.0.0.1:1" },
                "standby": { "bucket": "site", "websiteEndpoint": "http://127.0.0.1:2" }
              },
              "distribution": { "originGroups": { "site": { "origins": ["primary", "standby"] } } },
              "edges": { "e1": {{edge}} }
            }
            """);
    }

    [Fact]
    public async Task Cli_InvalidEdgeConfig_ExitsNonZeroNamingEverySetting()
    {
        using var dir = new TempDir();
        WriteConfig(dir, """{ "httpListen": "nowhere", "adminListen": "127.0.0.1:0", "adminToken": { "file": "admin-token" }, "redirectHttpToHttps": true, "cache": { "maxBytes": -1 } }""");

        var result = await TandemEdgeAsync(dir.Path, "e1", "--config", "tandem.json");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("$.edges.e1.httpListen", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("$.edges.e1.redirectHttpToHttps", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("$.edges.e1.cache", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("account.key", "garbage", "not a usable ECDSA private key")]
    [InlineData("key.pem", "folder", "cannot read")]
    [InlineData("", "not-a-folder", "cannot write")]
    public async Task Cli_AcmeDataDirWithBadKeyOrUnwritable_ExitsTwoNamingDataDirBeforeListening(string file, string damage, string problem)
    {
        using var dir = new TempDir();
        var acmeDir = dir.Combine("acme");
        switch (damage)
        {
            case "garbage":
                Directory.CreateDirectory(acmeDir);
                File.WriteAllText(Path.Combine(acmeDir, file), "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
                break;
            case "folder":
                Directory.CreateDirectory(Path.Combine(acmeDir, file)); // a folder where the key file should be
                break;
            default:
                File.WriteAllText(acmeDir, "a file where the folder should be");
                break;
        }

        WriteConfig(dir, """{ "httpListen": "127.0.0.1:0", "httpsListen": "127.0.0.1:0", "adminListen": "127.0.0.1:0", "adminToken": { "file": "admin-token" }, "acme": { "directory": "https://127.0.0.1:9/dir", "names": ["localhost"], "dataDir": "acme" } }""");

        var result = await TandemEdgeAsync(dir.Path, "e1", "--config", "tandem.json");

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.Contains("$.edges.e1.acme.dataDir", result.StdErr, StringComparison.Ordinal);
        Assert.Contains(problem, result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", result.StdOut, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cli_UnknownEdgeName_ExitsNonZeroListingTheEdges()
    {
        using var dir = new TempDir();
        WriteConfig(dir, """{ "httpListen": "127.0.0.1:0", "adminListen": "127.0.0.1:0", "adminToken": { "file": "admin-token" } }""");

        var result = await TandemEdgeAsync(dir.Path, "e2", "--config", "tandem.json");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no edge named 'e2'", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("e1", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_BusyPort_Exit3NamingTheListenerSetting()
    {
        using var dir = new TempDir();
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var busy = ((IPEndPoint)blocker.LocalEndpoint).Port;
        WriteConfig(dir, $$"""{ "httpListen": "127.0.0.1:{{busy}}", "adminListen": "127.0.0.1:0", "adminToken": { "file": "admin-token" } }""");

        var result = await TandemEdgeAsync(dir.Path, "e1", "--config", "tandem.json");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("$.edges.e1.httpListen", result.StdErr, StringComparison.Ordinal);
    }
}

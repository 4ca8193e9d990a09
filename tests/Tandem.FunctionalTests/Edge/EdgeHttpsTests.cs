using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Tandem.Edge;
using Tandem.Edge.Tls;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Edge;

/// <summary>The edge's HTTPS listener: HTTP/2, a certificate renewed on disk, and the redirect from HTTP.</summary>
public sealed class EdgeHttpsTests
{
    /// <summary>An HTTPS edge, its origin and the folder with its certificate files; disposing stops and removes them.</summary>
    internal sealed record TlsSite(TestOrigin Origin, EdgeHost Edge, TempDir Dir, X509Certificate2 Certificate) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Edge.DisposeAsync();
            await Origin.DisposeAsync();
            Dir.Dispose();
            Certificate.Dispose();
        }
    }

    /// <summary>An edge serving the example site over HTTPS with a self-signed certificate for 127.0.0.1 and localhost, valid <paramref name="lifetime"/> (default a day).</summary>
    internal static async Task<TlsSite> StartAsync(bool redirect = false, TimeSpan? lifetime = null)
    {
        var dir = new TempDir("tandem-tls");
        var certificate = SelfSignedCertificate.Write(dir.Combine("edge.crt"), dir.Combine("edge.key"), ["127.0.0.1", "localhost"], lifetime ?? TimeSpan.FromDays(1));
        var origin = await TestOrigin.StartAsync();
        try
        {
            await SiteSetup.DeployAsync(origin.S3Url, origin.Credentials, SiteSetup.ExampleSite);
            var options = EdgeFixture.Options([("primary", origin.WebsiteUrl)]);
            var edge = await EdgeFixture.StartAsync(new EdgeOptions
            {
                Name = options.Name,
                HttpListen = options.HttpListen,

                // Port 0: the redirect must name the port the listener really bound.
                HttpsListen = new IPEndPoint(IPAddress.Loopback, 0),
                CertificateFile = dir.Combine("edge.crt"),
                KeyFile = dir.Combine("edge.key"),
                RedirectHttpToHttps = redirect,
                AdminListen = options.AdminListen,
                AdminToken = options.AdminToken,
                Origins = options.Origins,
                Distribution = options.Distribution,
            });
            return new TlsSite(origin, edge, dir, certificate);
        }
        catch
        {
            await origin.DisposeAsync();
            dir.Dispose();
            throw;
        }
    }

    /// <summary>A client on a new connection that trusts only the certificate it is told, and reports the one it saw.</summary>
    internal static HttpClient Trusting(Func<string> thumbprint, Action<string>? seen = null) =>
        new(new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    var presented = cert is null ? "" : Convert.ToHexString(cert.GetCertHash());
                    seen?.Invoke(presented);
                    return presented == thumbprint();
                },
            },
        });

    [Fact]
    public async Task Https_TrustedCertificate_ServesOverHttp2()
    {
        await using var site = await StartAsync();
        var (edge, certificate) = (site.Edge, site.Certificate);
        using var http = Trusting(() => certificate.Thumbprint);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(edge.HttpsUrl!, "/")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Contains("max-age=", string.Join(",", response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_CertificateFilesReplaced_NextConnectionPresentsTheNewOne()
    {
        await using var site = await StartAsync();
        var (edge, dir, first) = (site.Edge, site.Dir, site.Certificate);
        using (var before = Trusting(() => first.Thumbprint))
        {
            (await before.GetAsync(new Uri(edge.HttpsUrl!, "/"))).EnsureSuccessStatusCode();
        }

        using var second = SelfSignedCertificate.Write(dir.Combine("edge.crt"), dir.Combine("edge.key"), ["127.0.0.1", "localhost"], TimeSpan.FromDays(2));

        // The store looks at the files at most every 2 s; each try is a new connection, so a new handshake.
        var seen = "";
        var clock = Stopwatch.StartNew();
        while (seen != second.Thumbprint && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var http = Trusting(() => second.Thumbprint, s => seen = s);
            try
            {
                using var response = await http.GetAsync(new Uri(edge.HttpsUrl!, "/"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            catch (HttpRequestException) when (seen == first.Thumbprint)
            {
                await Task.Delay(200);
            }
        }

        Assert.Equal(second.Thumbprint, seen);
    }

    [Fact]
    public async Task Http_RedirectHttpToHttps_301ToTheHttpsUrl()
    {
        await using var site = await StartAsync(redirect: true);
        var edge = site.Edge;
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });

        using var response = await http.GetAsync(new Uri(edge.HttpUrl!, "/about/?x=1"));

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"https://127.0.0.1:{edge.HttpsUrl!.Port}/about/?x=1", response.Headers.Location!.ToString());
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tandem.Edge;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Edge;

/// <summary>
/// What the ACME renewal tests share: edges with acme in front of a site that answers 200, the
/// certificate an HTTPS listener presents, curl's view of it, and a front on Pebble's HTTP-01
/// port that forwards the CA's checks to the edges in turn (as DNS with several edges would) or
/// answers them wrongly.
/// </summary>
internal static partial class AcmeRig
{
    /// <summary>A website that answers 200 "ok" to everything: the origin behind the edges.</summary>
    public static async Task<WebApplication> StartSiteAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(c =>
        {
            c.Response.Headers.CacheControl = "max-age=60";
            return c.Response.WriteAsync("ok");
        });
        await app.StartAsync();
        return app;
    }

    public static string UrlOf(WebApplication app) => app.Urls.First();

    /// <summary>An edge with <paramref name="acme"/>, HTTP on <paramref name="httpPort"/> (0: any), HTTPS on any port, in front of <paramref name="siteUrl"/>.</summary>
    public static Task<EdgeHost> StartEdgeAsync(EdgeAcmeOptions acme, string siteUrl, int httpPort = 0, string name = "edge-1", bool redirectHttpToHttps = false)
    {
        var template = EdgeFixture.Options([("primary", siteUrl)]);
        return EdgeFixture.StartAsync(new EdgeOptions
        {
            Name = name,
            HttpListen = new IPEndPoint(IPAddress.Loopback, httpPort),
            HttpsListen = new IPEndPoint(IPAddress.Loopback, 0),
            CertificateFile = acme.CertificateFile,
            KeyFile = acme.KeyFile,
            Acme = acme,
            RedirectHttpToHttps = redirectHttpToHttps,
            AdminListen = template.AdminListen,
            AdminToken = template.AdminToken,
            Origins = template.Origins,
            Distribution = template.Distribution,
        });
    }

    /// <summary>The certificate the HTTPS listener presents on a new connection (validation is the test's job).</summary>
    public static async Task<X509Certificate2> PresentedAsync(Uri https, string serverName = "localhost")
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(https.Host, https.Port);
        // Any certificate is accepted here: which one it is, is what the test checks.
        await using var tls = new SslStream(tcp.GetStream(), false, (_, presented, _, _) => presented is not null);
        await tls.AuthenticateAsClientAsync(serverName);
        return X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
    }

    /// <summary>Polls until the edge presents a certificate <paramref name="accept"/> takes; fails with <paramref name="what"/> after <paramref name="within"/>.</summary>
    public static async Task<X509Certificate2> WaitForCertificateAsync(Uri https, Func<X509Certificate2, bool> accept, TimeSpan within, string what)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var presented = await PresentedAsync(https);
            if (accept(presented))
            {
                return presented;
            }

            var last = $"{presented.Subject} from {presented.Issuer}, serial {presented.SerialNumber}";
            presented.Dispose();
            Assert.True(watch.Elapsed < within, $"{what}: still serving {last} after {watch.Elapsed}");
            await Task.Delay(200);
        }
    }

    public static bool IsFromPebble(X509Certificate2 certificate) => certificate.Subject != certificate.Issuer;

    /// <summary>One counter or gauge of the edge's /metrics (0 when absent).</summary>
    public static async Task<double> MetricAsync(EdgeHost edge, string series)
    {
        using var admin = new HttpClient { BaseAddress = edge.AdminUrl };
        var text = await admin.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Writes <paramref name="root"/> as PEM for curl's --cacert.</summary>
    public static string WriteRoot(TempDir dir, X509Certificate2 root, string name = "pebble-root.pem")
    {
        var path = dir.Combine(name);
        File.WriteAllText(path, root.ExportCertificatePem());
        return path;
    }

    /// <summary>
    /// curl with only <paramref name="rootFile"/> trusted fetches <paramref name="url"/>: it verifies
    /// the chain the edge sends and the name. Returns the leaf's serial as curl prints it (hex, no colons).
    /// </summary>
    public static async Task<string> CurlSerialAsync(string rootFile, string url)
    {
        var result = await ExternalTool.RunAsync("curl", ["-sS", "--fail", "--max-time", "10", "-o", "/dev/null", "--cacert", rootFile, "-w", "%{certs}", url]);
        Assert.True(result.ExitCode == 0, $"curl --cacert {rootFile} {url} failed ({result.ExitCode}): {result.StdErr}");
        var serial = SerialLine().Match(result.StdOut);
        Assert.True(serial.Success, $"curl printed no serial for {url}:\n{result.StdOut}");
        return serial.Groups[1].Value.Replace(":", "", StringComparison.Ordinal).TrimStart('0').ToUpperInvariant();
    }

    public static string SerialOf(X509Certificate2 certificate) => certificate.SerialNumber.TrimStart('0').ToUpperInvariant();

    [GeneratedRegex(@"Serial Number:\s*([0-9A-Fa-f:]+)")]
    private static partial Regex SerialLine();
}

/// <summary>
/// Listens where Pebble's VA connects for HTTP-01 and, while <see cref="Garbage"/> is false,
/// forwards each check to the next of the edges in turn; while true, answers every check wrongly.
/// </summary>
internal sealed class ChallengeFront : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false });
    private readonly List<Uri> _targets = [];
    private readonly Dictionary<Uri, int> _forwarded = [];
    private int _next;

    private ChallengeFront(WebApplication app) => _app = app;

    public volatile bool Garbage;

    public static async Task<ChallengeFront> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var front = new ChallengeFront(app);
        app.Run(front.HandleAsync);
        await app.StartAsync();
        return front;
    }

    public void Add(Uri edgeHttp)
    {
        lock (_targets)
        {
            _targets.Add(edgeHttp);
            _forwarded[edgeHttp] = 0;
        }
    }

    /// <summary>How many checks went to each edge.</summary>
    public IReadOnlyDictionary<Uri, int> Forwarded
    {
        get
        {
            lock (_targets)
            {
                return new Dictionary<Uri, int>(_forwarded);
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Garbage)
        {
            await context.Response.WriteAsync("not-the-key-authorization");
            return;
        }

        Uri target;
        lock (_targets)
        {
            target = _targets[_next++ % _targets.Count];
            _forwarded[target]++;
        }

        using var response = await _client.GetAsync(new Uri(target, context.Request.Path + context.Request.QueryString));
        context.Response.StatusCode = (int)response.StatusCode;
        await context.Response.Body.WriteAsync(await response.Content.ReadAsByteArrayAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _client.Dispose();
    }
}

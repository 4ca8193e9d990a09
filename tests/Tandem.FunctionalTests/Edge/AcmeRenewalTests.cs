using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Tandem.Edge;
using Tandem.Edge.Acme.Sharing;
using Tandem.FunctionalTests.Infrastructure;
using static Tandem.FunctionalTests.Edge.AcmeRig;

namespace Tandem.FunctionalTests.Edge;

/// <summary>
/// The edge's certificate over time, against Pebble: renewed under load with short-lived
/// certificates, obtained once the CA takes back a refusal, and shared by several edges.
/// </summary>
public sealed class AcmeRenewalTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Renewal_ShortLivedCertificatesUnderSteadyHttpsLoad_NoTlsErrorAndCurlSeesTheSerialChange()
    {
        await OffRunnerThreads.Now;
        var httpPort = PebbleServer.FreePort();

        // 20 s certificates renewed with half their life left: a renewal every ~10 s.
        using var pebble = await PebbleServer.StartAsync(httpPort, validitySeconds: 20);
        using var dir = new TempDir("tandem-acme-renew");
        await using var site = await StartSiteAsync();
        var acme = new EdgeAcmeOptions
        {
            DirectoryUrl = pebble.DirectoryUrl,
            Names = ["localhost", "127.0.0.1"],
            CaRootFile = pebble.TlsRootFile,
            DataDir = dir.Combine("acme"),
            RenewBeforeFraction = 0.5,
            FirstRetry = TimeSpan.FromSeconds(1),
        };
        await using var edge = await StartEdgeAsync(acme, UrlOf(site), httpPort);
        using var first = await WaitForCertificateAsync(edge.HttpsUrl!, IsFromPebble, Deadline, "the first issuance");
        using var root = await pebble.IssuingRootAsync();
        var rootFile = WriteRoot(dir, root);
        var port = edge.HttpsUrl!.Port;
        var firstSerial = SerialOf(first);
        Assert.Equal(firstSerial, await CurlSerialAsync(rootFile, $"https://localhost:{port}/"));
        Assert.Equal(firstSerial, await CurlSerialAsync(rootFile, $"https://127.0.0.1:{port}/"));

        // Visitors: new TLS connections for each request (every handshake sees whichever
        // certificate is current) and one kept-alive HTTP/2 connection across the swap, all
        // verifying the chain against Pebble's root only.
        using var load = new HttpsLoad(root, port);
        var running = load.RunAsync();
        using var renewed = await WaitForCertificateAsync(edge.HttpsUrl!, c => IsFromPebble(c) && SerialOf(c) != firstSerial, Deadline, "the renewal");
        await Task.Delay(1000);
        load.Stop();
        await running;

        Assert.True(load.Errors.IsEmpty, $"{load.Errors.Count} of {load.Requests} requests failed, first: {load.Errors.FirstOrDefault()}");
        Assert.True(load.Requests > 50, $"only {load.Requests} requests ran");
        Assert.True(load.SerialsSeen.Count >= 2, $"the load saw only the serials {string.Join(", ", load.SerialsSeen.Keys)}");
        Assert.True(load.KeptAliveRequests > 10, $"the kept-alive connection made only {load.KeptAliveRequests} requests");
        var renewedSerial = SerialOf(renewed);
        Assert.Equal(renewedSerial, await CurlSerialAsync(rootFile, $"https://localhost:{port}/"));
        Assert.Equal(renewedSerial, await CurlSerialAsync(rootFile, $"https://127.0.0.1:{port}/"));
        Assert.True(await MetricAsync(edge, "tandem_edge_acme_certificates_total") >= 2);
        Assert.Equal(0, await MetricAsync(edge, "tandem_edge_acme_failures_total"));
    }

    [Fact]
    public async Task Obtain_WrongChallengeAnswerThenCaUnreachable_KeepsServingAndSucceedsOnceTheCaIsBack()
    {
        await OffRunnerThreads.Now;
        var vaPort = PebbleServer.FreePort();
        using var pebble = await PebbleServer.StartAsync(vaPort);
        await using var front = await ChallengeFront.StartAsync(vaPort);
        front.Garbage = true;
        using var dir = new TempDir("tandem-acme-refused");
        await using var site = await StartSiteAsync();
        var acme = new EdgeAcmeOptions
        {
            DirectoryUrl = pebble.DirectoryUrl,
            Names = ["localhost"],
            CaRootFile = pebble.TlsRootFile,
            DataDir = dir.Combine("acme"),
            FirstRetry = TimeSpan.FromMilliseconds(500),
        };
        await using var edge = await StartEdgeAsync(acme, UrlOf(site));
        front.Add(edge.HttpUrl!);

        // The CA sees a wrong answer: the order fails, is counted, and the temporary certificate serves.
        await WaitForMetricAsync(edge, "tandem_edge_acme_failures_total", 1);
        using (var temporary = await PresentedAsync(edge.HttpsUrl!))
        {
            Assert.False(IsFromPebble(temporary));
        }

        // The CA cannot be reached at all: more failures, still serving.
        pebble.Kill();
        front.Garbage = false;
        var failures = await MetricAsync(edge, "tandem_edge_acme_failures_total");
        await WaitForMetricAsync(edge, "tandem_edge_acme_failures_total", failures + 1);
        using (var stillTemporary = await PresentedAsync(edge.HttpsUrl!))
        {
            Assert.False(IsFromPebble(stillTemporary));
        }

        using var site200 = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        Assert.Equal(HttpStatusCode.OK, (await site200.GetAsync(edge.HttpsUrl)).StatusCode);

        // The CA is back: the next retry succeeds.
        await pebble.RestartAsync();
        using var issued = await WaitForCertificateAsync(edge.HttpsUrl!, IsFromPebble, Deadline, "issuance after the CA came back");
        using var root = await pebble.IssuingRootAsync();
        Assert.Equal(SerialOf(issued), await CurlSerialAsync(WriteRoot(dir, root), $"https://localhost:{edge.HttpsUrl!.Port}/"));
        Assert.Equal(1, await MetricAsync(edge, "tandem_edge_acme_certificates_total"));
    }

    [Fact]
    public async Task Share_TwoEdgesOneFolder_OneOrderBothServeItAndEitherAnswersTheChallenge()
    {
        await OffRunnerThreads.Now;
        using var dir = new TempDir("tandem-acme-share");
        await RunSharedAsync(dir, new DirectoryShare(dir.Combine("shared")), new DirectoryShare(dir.Combine("shared")));
        Assert.True(File.Exists(dir.Combine("shared", CertificateShare.CertificateName)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(dir.Combine("shared", CertificateShare.CertificateName)));
        Assert.False(File.Exists(dir.Combine("shared", CertificateShare.LeaseName)), "the lease was not given back");
    }

    [Fact]
    public async Task Share_TwoEdgesOneOriginBucket_OneOrderAndTheKeyIsNotOnTheWebsite()
    {
        await OffRunnerThreads.Now;
        using var dir = new TempDir("tandem-acme-share-s3");
        await using var origin = await TestOrigin.StartAsync();
        CertificateShare Open() => new S3Share(origin.S3Url, "tandem-acme", "localhost/", "us-east-1", pathStyle: true, origin.Credentials);
        await RunSharedAsync(dir, Open(), Open());

        using var s3 = origin.Client();
        using (var stored = await s3.GetObjectAsync("tandem-acme", "localhost/" + CertificateShare.CertificateName))
        using (var reader = new StreamReader(stored.ResponseStream))
        {
            var pem = await reader.ReadToEndAsync();
            Assert.NotNull(SharedCertificate.Parse(pem));
        }

        // The bucket has no public-read policy: the website endpoint does not serve the key.
        using var web = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(origin.WebsiteUrl), "/localhost/" + CertificateShare.CertificateName));
        request.Headers.Host = $"tandem-acme.localhost:{new Uri(origin.WebsiteUrl).Port}";
        using var response = await web.SendAsync(request);
        Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"the website answered {response.StatusCode}");
    }

    /// <summary>
    /// Two edges with the same names and share; the CA's checks alternate between them (two names:
    /// two checks, one to each), so one is answered by the edge that did not order. Exactly one
    /// order is made and both end up serving its certificate.
    /// </summary>
    private static async Task RunSharedAsync(TempDir dir, CertificateShare shareA, CertificateShare shareB)
    {
        var vaPort = PebbleServer.FreePort();
        using var pebble = await PebbleServer.StartAsync(vaPort);
        await using var front = await ChallengeFront.StartAsync(vaPort);
        await using var site = await StartSiteAsync();
        EdgeAcmeOptions Acme(string name, CertificateShare share) => new()
        {
            DirectoryUrl = pebble.DirectoryUrl,
            Names = ["localhost", "127.0.0.1"],
            CaRootFile = pebble.TlsRootFile,
            DataDir = dir.Combine(name),
            FirstRetry = TimeSpan.FromSeconds(1),
            Share = share,
            Holder = name,
        };

        // Both edges start before either can answer: the front knows them both first.
        var startA = StartEdgeAsync(Acme("edge-a", shareA), UrlOf(site), name: "edge-a");
        var startB = StartEdgeAsync(Acme("edge-b", shareB), UrlOf(site), name: "edge-b");
        await using var a = await startA;
        await using var b = await startB;
        front.Add(a.HttpUrl!);
        front.Add(b.HttpUrl!);

        using var servedA = await WaitForCertificateAsync(a.HttpsUrl!, IsFromPebble, Deadline, "edge-a's certificate");
        using var servedB = await WaitForCertificateAsync(b.HttpsUrl!, c => IsFromPebble(c) && c.SerialNumber == servedA.SerialNumber, Deadline, "edge-b serving edge-a's certificate");
        var orders = await MetricAsync(a, "tandem_edge_acme_certificates_total") + await MetricAsync(b, "tandem_edge_acme_certificates_total");
        Assert.Equal(1, orders);
        Assert.All(front.Forwarded, f => Assert.True(f.Value >= 1, $"no check reached {f.Key}: {string.Join(", ", front.Forwarded)}"));
        using var root = await pebble.IssuingRootAsync();
        var rootFile = WriteRoot(dir, root);
        Assert.Equal(SerialOf(servedA), await CurlSerialAsync(rootFile, $"https://localhost:{a.HttpsUrl!.Port}/"));
        Assert.Equal(SerialOf(servedA), await CurlSerialAsync(rootFile, $"https://127.0.0.1:{b.HttpsUrl!.Port}/"));
    }

    private static async Task WaitForMetricAsync(EdgeHost edge, string series, double atLeast)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (await MetricAsync(edge, series) < atLeast)
        {
            Assert.True(watch.Elapsed < Deadline, $"{series} did not reach {atLeast} within {Deadline}");
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// Steady HTTPS GETs against an edge, verifying the chain against one root only: two loops that
/// open a new connection per request (alternating the names localhost and 127.0.0.1) and one
/// kept-alive HTTP/2 connection. Records every failure and every leaf serial seen.
/// </summary>
internal sealed class HttpsLoad : IDisposable
{
    private readonly X509Certificate2 _root;
    private readonly int _port;
    private readonly CancellationTokenSource _stop = new();
    private int _requests;
    private int _keptAlive;

    public HttpsLoad(X509Certificate2 root, int port)
    {
        _root = root;
        _port = port;
    }

    public System.Collections.Concurrent.ConcurrentQueue<string> Errors { get; } = new();

    public System.Collections.Concurrent.ConcurrentDictionary<string, bool> SerialsSeen { get; } = new();

    public int Requests => Volatile.Read(ref _requests);

    public int KeptAliveRequests => Volatile.Read(ref _keptAlive);

    public Task RunAsync() => Task.WhenAll(NewConnectionsAsync("localhost"), NewConnectionsAsync("127.0.0.1"), KeptAliveAsync());

    public void Stop() => _stop.Cancel();

    private HttpClient Client(bool pooled) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionLifetime = pooled ? Timeout.InfiniteTimeSpan : TimeSpan.Zero,
        SslOptions = new System.Net.Security.SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Verify(certificate, chain, errors),
        },
    })
    { Timeout = TimeSpan.FromSeconds(10) };

    private bool Verify(System.Security.Cryptography.X509Certificates.X509Certificate? presented, X509Chain? sent, System.Net.Security.SslPolicyErrors errors)
    {
        if (presented is null || (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (sent is not null)
        {
            foreach (var element in sent.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        var ok = chain.Build(leaf);
        if (ok)
        {
            SerialsSeen[leaf.SerialNumber] = true;
        }

        return ok;
    }

    private async Task NewConnectionsAsync(string host)
    {
        using var client = Client(pooled: false);
        var url = new Uri($"https://{host}:{_port}/page?h={host}");
        while (!_stop.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.ConnectionClose = true;
            await SendAsync(client, request);
        }
    }

    private async Task KeptAliveAsync()
    {
        using var client = Client(pooled: true);
        while (!_stop.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://localhost:{_port}/kept")) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            if (await SendAsync(client, request))
            {
                Interlocked.Increment(ref _keptAlive);
            }

            await Task.Delay(50);
        }
    }

    private async Task<bool> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        Interlocked.Increment(ref _requests);
        try
        {
            using var response = await client.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Errors.Enqueue($"{request.RequestUri}: {(int)response.StatusCode}");
                return false;
            }

            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Errors.Enqueue($"{request.RequestUri}: {ex.GetBaseException().Message}");
            return false;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}

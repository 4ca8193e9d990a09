using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Tandem.Edge;
using Tandem.FunctionalTests.Infrastructure;

using static Tandem.FunctionalTests.Edge.AcmeRig;

namespace Tandem.FunctionalTests.Edge;

/// <summary>An edge with acme set gets its certificate from Pebble and swaps it in without a restart.</summary>
public sealed class AcmeEdgeTests
{
    [Fact]
    public async Task Edge_WithAcme_ServesTemporaryCertificate_ThenPebblesCertificate_AndReportsItsExpiry()
    {
        // Pebble's VA checks HTTP-01 on a fixed port: the edge's HTTP listener.
        var httpPort = PebbleServer.FreePort();
        using var pebble = await PebbleServer.StartAsync(httpPort);
        using var dir = new TempDir("tandem-acme-edge");
        var acme = new EdgeAcmeOptions
        {
            DirectoryUrl = pebble.DirectoryUrl,
            Names = ["localhost"],
            CaRootFile = pebble.TlsRootFile,
            DataDir = dir.Combine("acme"),
        };
        var watch = Stopwatch.StartNew();
        await using var edge = await StartEdgeAsync(acme, "http://127.0.0.1:9/", httpPort,

            // The challenge must be answered ahead of the redirect, or Pebble would be sent to HTTPS.
            redirectHttpToHttps: true);

        // HTTPS answers at once, with a self-signed certificate for the name, until Pebble's arrives.
        using var first = await PresentedAsync(edge.HttpsUrl!);
        Assert.Contains("localhost", first.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());

        using var http = new HttpClient { BaseAddress = edge.HttpUrl };
        using (var unknown = await http.GetAsync(new Uri("/.well-known/acme-challenge/no-such-token", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = edge.HttpUrl };
        using (var other = await noRedirects.GetAsync(new Uri("/index.html", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.MovedPermanently, other.StatusCode);
        }

        X509Certificate2? issued = null;
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            var presented = await PresentedAsync(edge.HttpsUrl!);
            if (presented.Issuer != presented.Subject)
            {
                issued = presented;
                break;
            }

            presented.Dispose();
            await Task.Delay(250);
        }

        Assert.True(issued is not null, $"the edge still served its temporary certificate after {watch.Elapsed}");
        using (issued)
        {
            Assert.NotEqual(first.Issuer, issued.Issuer);
            Assert.Contains("localhost", issued.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());

            // The served certificate is the one written to the data folder, and chains to Pebble's root.
            var chainFile = new X509Certificate2Collection();
            chainFile.ImportFromPemFile(acme.CertificateFile);
            Assert.Equal(chainFile[0].Thumbprint, issued.Thumbprint);
            using var root = await pebble.IssuingRootAsync();
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.ExtraStore.AddRange(chainFile);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(issued), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));

            using var admin = new HttpClient { BaseAddress = edge.AdminUrl };
            var metrics = await admin.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            var line = metrics.Split('\n').Single(l => l.StartsWith("tandem_edge_certificate_expiry_seconds{name=\"localhost\"}", StringComparison.Ordinal));
            var seconds = double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
            var expected = (issued.NotAfter.ToUniversalTime() - DateTime.UtcNow).TotalSeconds;
            Assert.InRange(seconds, expected - 60, expected + 60);
        }
    }

    [Fact]
    public async Task Edge_WithAcme_CaUnreachable_CountsTheFailureAndKeepsServingTheTemporaryCertificate()
    {
        using var dir = new TempDir("tandem-acme-edge");
        var acme = new EdgeAcmeOptions
        {
            // Nothing listens on the discard port: the directory cannot be read.
            DirectoryUrl = new Uri("https://127.0.0.1:9/dir"),
            Names = ["localhost"],
            DataDir = dir.Combine("acme"),
        };
        await using var edge = await StartEdgeAsync(acme, "http://127.0.0.1:9/");

        using var admin = new HttpClient { BaseAddress = edge.AdminUrl };
        var metrics = "";
        var watch = Stopwatch.StartNew();
        while (!metrics.Contains("tandem_edge_acme_failures_total 1", StringComparison.Ordinal) && watch.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
            metrics = await admin.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        }

        Assert.Contains("tandem_edge_acme_failures_total 1", metrics, StringComparison.Ordinal);
        using var served = await PresentedAsync(edge.HttpsUrl!);
        Assert.Equal(served.Subject, served.Issuer);
        Assert.False(File.Exists(acme.CertificateFile));
    }
}

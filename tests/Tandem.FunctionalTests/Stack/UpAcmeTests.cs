using System.Globalization;
using Tandem.Core.Stack;
using Tandem.FunctionalTests.Edge;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Stack;

/// <summary>`tandem up --domain localhost --acme PEBBLE`: the built-in edge's certificate comes from the CA, and curl trusts it.</summary>
public sealed class UpAcmeTests
{
    [Fact]
    public async Task Up_WithDomainAndAcme_ServesTheCasCertificate_ThatCurlTrustsWithTheCasRoot()
    {
        using var dir = new TempDir("tandem-up-acme");
        var offset = UpProcess.FreePortOffset();
        int httpPort = 8080 + offset, httpsPort = 8443 + offset;

        // Pebble validates HTTP-01 on the port `up` gives the edge's HTTP listener.
        using var pebble = await PebbleServer.StartAsync(httpPort);
        var root = dir.Combine("pebble-issuing-root.pem");
        using (var issuing = await pebble.IssuingRootAsync())
        {
            File.WriteAllText(root, issuing.ExportCertificatePem());
        }

        using var up = UpProcess.Start(dir.Path, "--port-offset", offset.ToString(CultureInfo.InvariantCulture),
            "--domain", "localhost", "--acme", pebble.DirectoryUrl.ToString(), "--acme-ca-root", pebble.TlsRootFile);
        await up.WaitForLineAsync("Ctrl-C stops everything", TimeSpan.FromSeconds(90));

        Assert.Contains($"tandem up: the edge's certificate for localhost comes over ACME from {pebble.DirectoryUrl}", up.StdOut, StringComparison.Ordinal);
        Assert.Contains($"HTTP-01 on the edge's HTTP port, http://127.0.0.1:{httpPort}: a public CA connects to port 80", up.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("made a self-signed certificate", up.StdOut, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(up.StateDir, "tls", "edge.crt")));

        // The edge serves a temporary certificate until Pebble's arrives: curl refuses that one.
        var url = $"https://localhost:{httpsPort}/";
        var deadline = DateTime.UtcNow.AddSeconds(120);
        ExternalTool.Result curl;
        while (true)
        {
            curl = await ExternalTool.RunAsync("curl", ["--silent", "--show-error", "--max-time", "10", "--cacert", root, url], timeout: TimeSpan.FromSeconds(20));
            if (curl.ExitCode == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(500);
        }

        Assert.True(curl.ExitCode == 0, $"curl --cacert (Pebble's issuing root) {url} still failed (exit {curl.ExitCode}): {curl.StdErr}\nup stdout:\n{up.StdOut}\nup stderr:\n{up.StdErr}");
        Assert.Equal(File.ReadAllText(Path.Combine(UpProcess.RepoRoot, "examples", "site", "index.html")), curl.StdOut);
        Assert.True(File.Exists(Path.Combine(up.StateDir, "edges", "edge-1", "acme", "cert.pem")), "the certificate is not in STATE/edges/edge-1/acme/");

        up.Signal(ProcessSignals.SigInt);
        Assert.Equal(0, await up.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Tandem.Edge.Acme;
using Tandem.Edge.Tls;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Edge;

/// <summary>Pebble on free loopback ports with a TLS certificate made here; its VA checks HTTP-01 on <c>httpPort</c>.</summary>
internal sealed class PebbleServer : IDisposable
{
    private readonly TempDir _dir;
    private Process _process;
    private readonly StringBuilder _output = new();
    private readonly X509Certificate2 _tlsCertificate;
    private readonly int _managementPort;

    private PebbleServer(TempDir dir, X509Certificate2 tlsCertificate, int acmePort, int managementPort)
    {
        _dir = dir;
        _tlsCertificate = tlsCertificate;
        _managementPort = managementPort;
        DirectoryUrl = new Uri($"https://127.0.0.1:{acmePort}/dir");
        Http = AcmeClient.CreateHttpClient(tlsCertificate, TimeSpan.FromSeconds(15));
        _process = Launch();
    }

    private Process Launch()
    {
        var psi = new ProcessStartInfo(ExternalTool.Find("pebble"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir.Path,
        };
        psi.ArgumentList.Add("-config");
        psi.ArgumentList.Add(_dir.Combine("pebble-config.json"));
        psi.Environment["PEBBLE_VA_NOSLEEP"] = "1";
        psi.Environment["PEBBLE_WFE_NONCEREJECT"] = "0";
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>kill -9: the CA is unreachable (connections refused) until <see cref="RestartAsync"/>.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
    }

    /// <summary>Starts Pebble again on the same ports with the same HTTPS certificate (its state and issuing root are new).</summary>
    public async Task RestartAsync()
    {
        _process.Dispose();
        _process = Launch();
        await WaitReadyAsync();
    }

    /// <summary>Everything Pebble printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public Uri DirectoryUrl { get; }

    /// <summary>PEM file of Pebble's self-signed HTTPS certificate: the root to trust for <see cref="DirectoryUrl"/>.</summary>
    public string TlsRootFile => _dir.Combine("cert.pem");

    /// <summary>Pebble's issuing root (from the management API), which every certificate it issues chains to.</summary>
    public async Task<X509Certificate2> IssuingRootAsync() =>
        X509Certificate2.CreateFromPem(await Http.GetStringAsync(ManagementUrl("roots/0")));

    /// <summary>Trusts Pebble's HTTPS certificate only (ACME and management API).</summary>
    public HttpClient Http { get; }

    public Uri ManagementUrl(string path) => new($"https://127.0.0.1:{_managementPort}/{path}");

    /// <summary>Starts Pebble, trying again on new ports if another process took one of the free ports first.</summary>
    /// <param name="httpPort">Where Pebble's VA connects for HTTP-01.</param>
    /// <param name="validitySeconds">Lifetime of the certificates it issues (default Pebble's five years).</param>
    public static async Task<PebbleServer> StartAsync(int httpPort, int? validitySeconds = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(httpPort, validitySeconds);
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("address already in use", StringComparison.Ordinal))
            {
            }
        }
    }

    private static async Task<PebbleServer> StartOnceAsync(int httpPort, int? validitySeconds)
    {
        var dir = new TempDir("tandem-pebble");
        var tls = SelfSignedCertificate.Write(dir.Combine("cert.pem"), dir.Combine("key.pem"), ["127.0.0.1", "localhost"], TimeSpan.FromDays(1));
        int acmePort = FreePort(), managementPort = FreePort(), tlsPort = FreePort();
        var config = new JsonObject
        {
            ["pebble"] = new JsonObject
            {
                ["listenAddress"] = $"127.0.0.1:{acmePort}",
                ["managementListenAddress"] = $"127.0.0.1:{managementPort}",
                ["certificate"] = dir.Combine("cert.pem"),
                ["privateKey"] = dir.Combine("key.pem"),
                ["httpPort"] = httpPort,
                ["tlsPort"] = tlsPort,
                ["ocspResponderURL"] = "",
                ["externalAccountBindingRequired"] = false,
            },
        };
        if (validitySeconds is { } seconds)
        {
            config["pebble"]!["certificateValidityPeriod"] = seconds;
        }

        File.WriteAllText(dir.Combine("pebble-config.json"), config.ToJsonString());
        var pebble = new PebbleServer(dir, tls, acmePort, managementPort);
        try
        {
            await pebble.WaitReadyAsync();
            return pebble;
        }
        catch
        {
            pebble.Dispose();
            throw;
        }
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // drains the redirected output into _output
                throw new InvalidOperationException($"pebble exited with {_process.ExitCode}:\n{_output}");
            }

            try
            {
                using var response = await Http.GetAsync(DirectoryUrl);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"pebble did not serve {DirectoryUrl} within 20 s:\n{_output}");
            }

            await Task.Delay(100);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        Http.Dispose();
        _tlsCertificate.Dispose();
        _dir.Dispose();
    }
}

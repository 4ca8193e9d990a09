using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tandem.Edge.Acme;
using Tandem.Edge.Tls;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Edge;

/// <summary>The ACME client against Pebble, the ACME test server, with HTTP-01 answered by a Kestrel app on loopback.</summary>
public sealed class AcmeTests
{
    [Fact]
    public async Task Obtain_Localhost_IssuesAChainToPebblesRootWithAnOwnerOnlyKey_AndTheStoredKeyKeepsTheAccount()
    {
        var challenges = new Http01Challenges();
        await using var responder = await ChallengeResponder.StartAsync(app => app.MapAcmeChallenges(challenges));
        using var pebble = await Pebble.StartAsync(responder.Port);
        using var dir = new TempDir("tandem-acme");
        var store = new AcmeAccountStore(dir.Combine("acme"));

        string firstAccount;
        using (var key = store.LoadOrCreateKey())
        {
            var client = new AcmeClient(pebble.Http, pebble.DirectoryUrl, key, new AcmeClientOptions { Contact = ["mailto:ops@example.org"], PollInterval = TimeSpan.FromMilliseconds(200) });
            firstAccount = await client.EnsureAccountAsync();
            store.SaveAccountUrl(pebble.DirectoryUrl.ToString(), firstAccount);
            var issued = await client.ObtainCertificateAsync(["localhost"], challenges);
            CertificateFiles.Write(dir.Combine("edge.crt"), dir.Combine("edge.key"), issued.ChainPem, issued.KeyPem);
        }

        Assert.Equal(0, challenges.Count);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(dir.Combine("edge.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(store.KeyFile));

        // The files load as the edge loads them, and the chain builds to Pebble's root alone.
        using (var certificateStore = new CertificateStore(dir.Combine("edge.crt"), dir.Combine("edge.key")))
        {
            var leaf = certificateStore.Current;
            Assert.True(leaf.HasPrivateKey);
            var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Contains("localhost", san.EnumerateDnsNames());

            var chainFile = new X509Certificate2Collection();
            chainFile.ImportFromPemFile(dir.Combine("edge.crt"));
            Assert.True(chainFile.Count >= 2, "the chain file holds the leaf and its intermediate");
            using var root = X509Certificate2.CreateFromPem(await pebble.Http.GetStringAsync(pebble.ManagementUrl("roots/0")));
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.ExtraStore.AddRange(chainFile);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        }

        // A second run with the stored key is the same account, and can order again.
        using (var key = store.LoadOrCreateKey())
        {
            var client = new AcmeClient(pebble.Http, pebble.DirectoryUrl, key, new AcmeClientOptions { PollInterval = TimeSpan.FromMilliseconds(200) });
            Assert.Equal(firstAccount, await client.EnsureAccountAsync());
            Assert.Equal(firstAccount, store.LoadAccountUrl(pebble.DirectoryUrl.ToString()));
            var again = await client.ObtainCertificateAsync(["localhost"], challenges);
            using var leaf = X509Certificate2.CreateFromPem(again.ChainPem, again.KeyPem);
            Assert.Contains("localhost", leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        }
    }

    [Fact]
    public async Task Obtain_ResponderAnswersGarbage_FailsWithTheAuthorizationProblemInBoundedTime()
    {
        await using var responder = await ChallengeResponder.StartAsync(app =>
            app.MapGet(Http01Challenges.PathPrefix + "{token}", (string token) => Results.Text("garbage", "application/octet-stream")));
        using var pebble = await Pebble.StartAsync(responder.Port);
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var client = new AcmeClient(pebble.Http, pebble.DirectoryUrl, key, new AcmeClientOptions { PollInterval = TimeSpan.FromMilliseconds(200), PollTimeout = TimeSpan.FromSeconds(20) });

        var watch = Stopwatch.StartNew();
        var problem = await Assert.ThrowsAsync<AcmeProblemException>(() => client.ObtainCertificateAsync(["localhost"], new Http01Challenges()));
        watch.Stop();

        Assert.Contains("authorization for localhost is invalid", problem.Message);
        Assert.Equal("urn:ietf:params:acme:error:unauthorized", problem.Type);
        Assert.Contains(problem.Type!, problem.Message);
        Assert.Contains("/authZ/", problem.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(25), $"took {watch.Elapsed}");
    }

    private static UnixFileMode ModeOf(string path) => OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(path);

    /// <summary>A Kestrel app on 127.0.0.1 (port 0) that answers HTTP-01 as the test tells it.</summary>
    private sealed class ChallengeResponder(WebApplication app, int port) : IAsyncDisposable
    {
        public int Port { get; } = port;

        public static async Task<ChallengeResponder> StartAsync(Action<WebApplication> map)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            map(app);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new ChallengeResponder(app, new Uri(address).Port);
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }

    /// <summary>Pebble on free loopback ports with a TLS certificate made here; its VA checks HTTP-01 on <c>httpPort</c>.</summary>
    private sealed class Pebble : IDisposable
    {
        private readonly Process _process;
        private readonly TempDir _dir;
        private readonly StringBuilder _output = new();
        private readonly X509Certificate2 _tlsCertificate;
        private readonly int _managementPort;

        private Pebble(Process process, TempDir dir, X509Certificate2 tlsCertificate, int acmePort, int managementPort)
        {
            _process = process;
            _dir = dir;
            _tlsCertificate = tlsCertificate;
            _managementPort = managementPort;
            DirectoryUrl = new Uri($"https://127.0.0.1:{acmePort}/dir");
            Http = AcmeClient.CreateHttpClient(tlsCertificate, TimeSpan.FromSeconds(15));
        }

        public Uri DirectoryUrl { get; }

        /// <summary>Trusts Pebble's HTTPS certificate only (ACME and management API).</summary>
        public HttpClient Http { get; }

        public Uri ManagementUrl(string path) => new($"https://127.0.0.1:{_managementPort}/{path}");

        /// <summary>Starts Pebble, trying again on new ports if another process took one of the free ports first.</summary>
        public static async Task<Pebble> StartAsync(int httpPort)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await StartOnceAsync(httpPort);
                }
                catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("address already in use", StringComparison.Ordinal))
                {
                }
            }
        }

        private static async Task<Pebble> StartOnceAsync(int httpPort)
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
            File.WriteAllText(dir.Combine("pebble-config.json"), config.ToJsonString());
            var psi = new ProcessStartInfo(ExternalTool.Find("pebble"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = dir.Path,
            };
            psi.ArgumentList.Add("-config");
            psi.ArgumentList.Add(dir.Combine("pebble-config.json"));
            psi.Environment["PEBBLE_VA_NOSLEEP"] = "1";
            psi.Environment["PEBBLE_WFE_NONCEREJECT"] = "0";
            var process = Process.Start(psi)!;
            var pebble = new Pebble(process, dir, tls, acmePort, managementPort);
            process.OutputDataReceived += (_, e) => pebble.Log(e.Data);
            process.ErrorDataReceived += (_, e) => pebble.Log(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
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

        private static int FreePort()
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
}

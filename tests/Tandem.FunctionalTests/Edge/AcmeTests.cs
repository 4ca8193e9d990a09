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
        using var pebble = await PebbleServer.StartAsync(responder.Port);
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
        using var pebble = await PebbleServer.StartAsync(responder.Port);
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
}

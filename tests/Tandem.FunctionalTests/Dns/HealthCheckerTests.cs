using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Tandem.Core.Configuration;
using Tandem.Core.Hosting;
using Tandem.Dns.Health;
using Tandem.Edge.Tls;

namespace Tandem.FunctionalTests.Dns;

/// <summary>
/// HTTP, HTTPS and TCP checks against a real Kestrel endpoint: status range, body substring, the
/// Host header (and, over HTTPS, the SNI name) from the <c>host</c> setting, refused, timeout.
/// </summary>
public sealed class HealthCheckerTests : IAsyncLifetime
{
    /// <summary>Self-signed for "localhost" only: the checks reach it as 127.0.0.1, so no validation could pass it.</summary>
    private readonly X509Certificate2 _certificate = SelfSignedCertificate.Create(["localhost"], TimeSpan.FromDays(1));
    private WebApplication _app = null!;
    private int _port;
    private int _httpsPort;
    private volatile string? _sni;

    public async Task InitializeAsync()
    {
        _app = KestrelApps.Create(null, k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificateSelector = (_, name) =>
                {
                    _sni = name;
                    return _certificate;
                },
            }));
        });
        _app.MapGet("/ok", () => Results.Text("status: ok"));
        _app.MapGet("/host", (HttpRequest r) => r.Host.Host == "www.example.test" ? Results.Text($"host: {r.Host}") : Results.Text($"wrong host {r.Host}", statusCode: 421));
        _app.MapGet("/down", () => Results.Text("maintenance", statusCode: 503));
        _app.MapGet("/redirect", () => Results.Redirect("/ok"));
        _app.MapGet("/slow", async () =>
        {
            await Task.Delay(3000);
            return Results.Text("ok");
        });
        await _app.StartAsync();
        _port = KestrelApps.BoundUrls(_app).Single(u => u.Scheme == "http").Port;
        _httpsPort = KestrelApps.BoundUrls(_app).Single(u => u.Scheme == "https").Port;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    [Theory]
    [InlineData("http", "/ok", "200-399", null, true)]
    [InlineData("http", "/redirect", "200-399", null, true)]
    [InlineData("http", "/redirect", "200", null, false)]
    [InlineData("http", "/down", "200-399", null, false)]
    [InlineData("http", "/down", "500-503", "maintenance", true)]
    [InlineData("http", "/ok", "200-399", "status: ok", true)]
    [InlineData("http", "/ok", "200-399", "healthy", false)]
    [InlineData("http", "/slow", "200-399", null, false)]
    [InlineData("tcp", "/", "200-399", null, true)]
    public async Task CheckOnce_AgainstRealEndpoint_PassesOnlyWhatTheCheckExpects(string type, string path, string status, string? body, bool expected)
    {
        var spec = Spec(type, _port, path, status, body, host: null, timeoutMs: 500);
        await using var checker = new HealthChecker([spec], () => { });

        Assert.Equal(expected, await checker.CheckOnceAsync(0));
        Assert.Equal(expected, checker.States[0].Status.LastError is null);
    }

    [Theory]
    [InlineData("/ok", "200-399", "status: ok", true)]
    [InlineData("/ok", "200-399", "healthy", false)]
    [InlineData("/down", "200-399", null, false)]
    [InlineData("/down", "503", "maintenance", true)]
    public async Task CheckOnce_Https_PassesOnlyWhatTheCheckExpectsWithoutValidatingTheCertificate(string path, string status, string? body, bool expected)
    {
        var spec = Spec("https", _httpsPort, path, status, body, host: null);
        await using var checker = new HealthChecker([spec], () => { });

        Assert.True(expected == await checker.CheckOnceAsync(0), checker.States[0].Status.LastError);
        Assert.Equal(expected, checker.States[0].Status.LastError is null);
    }

    [Fact]
    public async Task CheckOnce_HttpsAgainstAPlainHttpPort_Fails()
    {
        await using var checker = new HealthChecker([Spec("https", _port, "/ok", "200-399", null, host: null)], () => { });

        Assert.False(await checker.CheckOnceAsync(0));
        Assert.NotNull(checker.States[0].Status.LastError);
    }

    [Theory]
    [InlineData("http")]
    [InlineData("https")]
    public async Task CheckOnce_HostSetting_IsTheHostHeaderTheEndpointSees(string type)
    {
        var port = type == "https" ? _httpsPort : _port;
        await using var without = new HealthChecker([Spec(type, port, "/host", "200-399", null, host: null)], () => { });
        await using var with = new HealthChecker([Spec(type, port, "/host", "200-399", "host: www.example.test", host: "www.example.test")], () => { });

        Assert.False(await without.CheckOnceAsync(0));
        Assert.Contains("answered 421", without.States[0].Status.LastError, StringComparison.Ordinal);
        Assert.True(await with.CheckOnceAsync(0), with.States[0].Status.LastError);
        if (type == "https")
        {
            // The TLS handshake names the same host (SNI), as a virtual-hosted HTTPS endpoint needs.
            Assert.Equal("www.example.test", _sni);
        }
    }

    /// <summary>
    /// A check of 127.0.0.1:<paramref name="port"/>. The timeout is generous unless a test is about
    /// it: a process's first TLS handshake can take over a second on a busy machine.
    /// </summary>
    private static HealthCheckSpec Spec(string type, int port, string path, string status, string? body, string? host, int timeoutMs = 10000) =>
        HealthCheckSpec.FromConfig("c", new DnsHealthCheckConfig
        {
            Type = type,
            Target = $"127.0.0.1:{port}",
            Path = path,
            ExpectedStatus = status,
            BodyContains = body,
            Host = host,
            IntervalMs = Math.Max(1000, timeoutMs), // the timeout is capped at the interval
            TimeoutMs = timeoutMs,
        });

    [Theory]
    [InlineData("http")]
    [InlineData("tcp")]
    public async Task CheckOnce_NothingListening_Fails(string type)
    {
        var spec = HealthCheckSpec.FromConfig("c", new DnsHealthCheckConfig { Type = type, Target = $"127.0.0.1:{DnsRig.ClosedPort()}", IntervalMs = 1000, TimeoutMs = 500 });
        await using var checker = new HealthChecker([spec], () => { });

        Assert.False(await checker.CheckOnceAsync(0));
        Assert.NotNull(checker.States[0].Status.LastError);
    }
}

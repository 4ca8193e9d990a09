using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tandem.Core.Configuration;
using Tandem.Core.Hosting;
using Tandem.Dns.Health;

namespace Tandem.FunctionalTests.Dns;

/// <summary>HTTP and TCP checks against a real Kestrel endpoint: status range, body substring, refused, timeout.</summary>
public sealed class HealthCheckerTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _app = KestrelApps.Create(null, k => k.Listen(IPAddress.Loopback, 0));
        _app.MapGet("/ok", () => Results.Text("status: ok"));
        _app.MapGet("/down", () => Results.Text("maintenance", statusCode: 503));
        _app.MapGet("/redirect", () => Results.Redirect("/ok"));
        _app.MapGet("/slow", async () =>
        {
            await Task.Delay(3000);
            return Results.Text("ok");
        });
        await _app.StartAsync();
        _port = KestrelApps.BoundUrls(_app).First().Port;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

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
        var spec = HealthCheckSpec.FromConfig("c", new DnsHealthCheckConfig
        {
            Type = type,
            Target = $"127.0.0.1:{_port}",
            Path = path,
            ExpectedStatus = status,
            BodyContains = body,
            IntervalMs = 1000,
            TimeoutMs = 500,
        });
        await using var checker = new HealthChecker([spec], () => { });

        Assert.Equal(expected, await checker.CheckOnceAsync(0));
        Assert.Equal(expected, checker.States[0].Status.LastError is null);
    }

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

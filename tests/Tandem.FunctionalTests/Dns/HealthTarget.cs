using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tandem.Core.Hosting;

namespace Tandem.FunctionalTests.Dns;

/// <summary>A tiny HTTP health endpoint (GET /healthz answers "ok") that a test stops and starts again on the same port.</summary>
public sealed class HealthTarget : IAsyncDisposable
{
    private WebApplication? _app;

    public int Port { get; private set; }

    public static async Task<HealthTarget> StartAsync()
    {
        var target = new HealthTarget();
        await target.StartAsync(0);
        return target;
    }

    public async Task StartAsync(int port)
    {
        var app = KestrelApps.Create(null, k => k.Listen(IPAddress.Loopback, port));
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        await app.StartAsync();
        _app = app;
        Port = KestrelApps.BoundUrls(app).First().Port;
    }

    public Task RestartAsync() => StartAsync(Port);

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}

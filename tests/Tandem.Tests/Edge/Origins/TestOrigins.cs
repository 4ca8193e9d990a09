using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tandem.Core.Configuration;
using Tandem.Edge.Origins;

namespace Tandem.Tests.Edge.Origins;

/// <summary>What a test origin saw of one request.</summary>
internal sealed record SeenRequest(string Method, string Path, string Query, string Host, IReadOnlyDictionary<string, string> Headers);

/// <summary>A real Kestrel origin on 127.0.0.1, port 0, whose answer a test can change while it runs.</summary>
internal sealed class TestOrigin : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile RequestDelegate _handler;

    private TestOrigin(WebApplication app, RequestDelegate handler)
    {
        _app = app;
        _handler = handler;
    }

    public Uri Address { get; private set; } = null!;

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    public int Hits => Seen.Count;

    public RequestDelegate Handler
    {
        get => _handler;
        set => _handler = value;
    }

    /// <summary>An origin that answers every request with <paramref name="status"/> and <paramref name="body"/>.</summary>
    public static Task<TestOrigin> StartAsync(int status, string body) => StartAsync(Answer(status, body));

    public static async Task<TestOrigin> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var origin = new TestOrigin(app, handler);
        app.Run(context =>
        {
            var r = context.Request;
            origin.Seen.Enqueue(new SeenRequest(r.Method, r.Path.Value ?? "", r.QueryString.Value ?? "", r.Headers.Host.ToString(),
                r.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            return origin._handler(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        origin.Address = new Uri(address);
        return origin;
    }

    public static RequestDelegate Answer(int status, string body) => async context =>
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(body);
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Accepts TCP connections and never reads or writes: what an origin process stopped with
/// SIGSTOP looks like from outside, since the kernel still completes the handshake.
/// </summary>
internal sealed class FrozenOrigin : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<Socket> _held = [];
    private readonly CancellationTokenSource _stop = new();

    public FrozenOrigin()
    {
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _ = AcceptAsync();
    }

    public Uri Address { get; }

    public int Accepted => _held.Count;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                _held.Add(await _listener.AcceptSocketAsync(_stop.Token));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _held)
        {
            socket.Dispose();
        }

        _stop.Dispose();
    }
}

internal static class TestOrigins
{
    /// <summary>A loopback URL where nothing listens: bound once to get a free port, then closed.</summary>
    public static Uri RefusedAddress()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }

    /// <summary>
    /// Short timeouts so a failing origin costs a test well under a second or two. The default
    /// probe timeout is as long as the response timeout, which keeps the stall rule off: a test
    /// server's first answer can take a few hundred milliseconds while it warms up.
    /// </summary>
    public static OriginConnectionConfig Connection(int responseTimeoutMs = 2000, int connectTimeoutMs = 1000, HealthCheckConfig? healthCheck = null) => new()
    {
        ResponseTimeoutMs = responseTimeoutMs,
        ConnectTimeoutMs = connectTimeoutMs,
        HealthCheck = healthCheck ?? new HealthCheckConfig { IntervalMs = 100, TimeoutMs = responseTimeoutMs },
    };

    public static OriginRuntime Runtime(string name, Uri address, OriginConnectionConfig? connection = null) =>
        new(new OriginEndpoint(name, address, connection ?? Connection()));

    public static OriginRequest Get(string path = "/index.html") => new() { Method = HttpMethod.Get, PathAndQuery = path };

    /// <summary>
    /// Polls until <paramref name="condition"/> holds, failing after <paramref name="timeoutMs"/>: generous,
    /// because the whole suite runs both test assemblies at once on two cores (a wait ends as soon as it holds).
    /// </summary>
    public static async Task WaitForAsync(Func<bool> condition, string what, int timeoutMs = 20000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}

/// <summary>A primary and a standby test origin, each with its runtime, for a two-origin group.</summary>
internal sealed class OriginPair : IAsyncDisposable
{
    private OriginPair(TestOrigin primary, TestOrigin standby, OriginConnectionConfig connection)
    {
        Primary = primary;
        Standby = standby;
        P = TestOrigins.Runtime("primary", primary.Address, connection);
        S = TestOrigins.Runtime("standby", standby.Address, connection);
    }

    public TestOrigin Primary { get; }

    public TestOrigin Standby { get; }

    public OriginRuntime P { get; }

    public OriginRuntime S { get; }

    public static async Task<OriginPair> StartAsync(int primaryStatus, string primaryBody, int standbyStatus = 200, string standbyBody = "standby page", OriginConnectionConfig? connection = null) =>
        new(await TestOrigin.StartAsync(primaryStatus, primaryBody), await TestOrigin.StartAsync(standbyStatus, standbyBody), connection ?? TestOrigins.Connection(responseTimeoutMs: ColdStartTimeoutMs));

    // Pairs that answer at once still meet a cold Kestrel (and a JIT) when the suite runs tests
    // in parallel on two cores; a short timeout there turns a slow first answer into a failure.
    private const int ColdStartTimeoutMs = 10_000;

    /// <summary>The group "site" of primary then standby.</summary>
    public OriginGroupRuntime Group(IEnumerable<int>? failoverStatusCodes = null) => new("site", [P, S], failoverStatusCodes);

    public async ValueTask DisposeAsync()
    {
        P.Dispose();
        S.Dispose();
        await Primary.DisposeAsync();
        await Standby.DisposeAsync();
    }
}

/// <summary>A frozen primary and a working standby ("standby page"), as the group "site".</summary>
internal sealed class FrozenPair : IAsyncDisposable
{
    private FrozenPair(TestOrigin standby, OriginConnectionConfig primaryConnection)
    {
        Standby = standby;
        P = TestOrigins.Runtime("primary", Frozen.Address, primaryConnection);
        S = TestOrigins.Runtime("standby", standby.Address);
        Group = new OriginGroupRuntime("site", [P, S]);
    }

    public FrozenOrigin Frozen { get; } = new();

    public TestOrigin Standby { get; }

    public OriginRuntime P { get; }

    public OriginRuntime S { get; }

    public OriginGroupRuntime Group { get; }

    public static async Task<FrozenPair> StartAsync(OriginConnectionConfig primaryConnection) =>
        new(await TestOrigin.StartAsync(200, "standby page"), primaryConnection);

    public async ValueTask DisposeAsync()
    {
        P.Dispose();
        S.Dispose();
        Frozen.Dispose();
        await Standby.DisposeAsync();
    }
}

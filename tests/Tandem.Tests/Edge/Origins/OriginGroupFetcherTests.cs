using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Tandem.Core.Configuration;
using Tandem.Edge.Origins;
using Xunit.Abstractions;
using static Tandem.Tests.Edge.Origins.TestOrigins;

namespace Tandem.Tests.Edge.Origins;

public class OriginGroupFetcherTests(ITestOutputHelper output)
{
    // A probe timeout as long as any response timeout here turns the stall rule off.
    private static readonly HealthCheckConfig NoStallRule = new() { TimeoutMs = 60_000 };

    private readonly OriginGroupFetcher _fetcher = new();

    private static async Task<string> BodyAsync(OriginFetchResult result) => await result.Response!.Content.ReadAsStringAsync();

    [Fact]
    public async Task FetchAsync_Primary503_ReturnsStandbysAnswerAndCountsAgainstPrimary()
    {
        await using var pair = await OriginPair.StartAsync(503, "primary down");
        var group = pair.Group();

        using var result = await _fetcher.FetchAsync(group, Get());

        Assert.True(result.Succeeded);
        Assert.Equal("standby", result.Origin!.Name);
        Assert.Equal("standby page", await BodyAsync(result));
        Assert.Equal(
            [("primary", OriginAttemptOutcome.FailoverStatus, (int?)503), ("standby", OriginAttemptOutcome.Ok, (int?)200)],
            result.Attempts.Select(a => (a.Origin, a.Outcome, a.Status)));
        Assert.Equal(1, pair.P.Health.Snapshot().ConsecutiveFailures);
        Assert.True(pair.P.Health.IsHealthy);
    }

    [Fact]
    public async Task FetchAsync_PrimaryKeeps503_SkippedOnceUnhealthy()
    {
        await using var pair = await OriginPair.StartAsync(503, "primary down");
        var group = pair.Group();

        (await _fetcher.FetchAsync(group, Get())).Dispose();
        (await _fetcher.FetchAsync(group, Get())).Dispose();
        using var third = await _fetcher.FetchAsync(group, Get());

        Assert.False(pair.P.Health.IsHealthy);
        Assert.Equal("standby", Assert.Single(third.Attempts).Origin);
        Assert.Equal(2, pair.Primary.Hits);
    }

    [Fact]
    public async Task FetchAsync_PrimaryRefused_StandbyServedBeforeConnectTimeout()
    {
        await using var standby = await TestOrigin.StartAsync(200, "standby page");
        using var p = Runtime("primary", RefusedAddress(), Connection(connectTimeoutMs: 1000));
        using var s = Runtime("standby", standby.Address);
        var group = new OriginGroupRuntime("site", [p, s]);

        var watch = Stopwatch.StartNew();
        using var result = await _fetcher.FetchAsync(group, Get());
        watch.Stop();
        output.WriteLine($"refused primary -> standby in {watch.Elapsed.TotalMilliseconds:0.0} ms");

        Assert.Equal("standby page", await BodyAsync(result));
        Assert.Equal(OriginAttemptOutcome.ConnectFailure, result.Attempts[0].Outcome);
        Assert.True(watch.ElapsedMilliseconds < 1000, $"took {watch.ElapsedMilliseconds} ms");
        Assert.False(p.Health.IsHealthy);
    }

    [Fact]
    public async Task FetchAsync_PrimaryFrozen_FirstWaitsTimeoutAndNextSkipsIt()
    {
        await using var pair = await FrozenPair.StartAsync(Connection(responseTimeoutMs: 2000, healthCheck: NoStallRule));
        var group = pair.Group;

        var watch = Stopwatch.StartNew();
        using var first = await _fetcher.FetchAsync(group, Get());
        var firstMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        using var second = await _fetcher.FetchAsync(group, Get());
        var secondMs = watch.Elapsed.TotalMilliseconds;
        output.WriteLine($"frozen primary, response timeout: first request {firstMs:0.0} ms, next request {secondMs:0.0} ms");

        Assert.Equal("standby page", await BodyAsync(first));
        Assert.Equal(OriginAttemptOutcome.ResponseTimeout, first.Attempts[0].Outcome);
        Assert.True(firstMs >= 1900, $"first took {firstMs} ms");
        Assert.Equal("standby", Assert.Single(second.Attempts).Origin);
        Assert.True(secondMs < 1000, $"second took {secondMs} ms");
        Assert.Equal(1, pair.Frozen.Accepted);
    }

    [Fact]
    public async Task FetchAsync_PrimaryFrozen_StallRuleMovesOnAfterProbeTimeout()
    {
        await using var pair = await FrozenPair.StartAsync(Connection(responseTimeoutMs: 10_000, healthCheck: new HealthCheckConfig { TimeoutMs = 300 }));

        var watch = Stopwatch.StartNew();
        using var result = await _fetcher.FetchAsync(pair.Group, Get());
        output.WriteLine($"frozen primary, stall rule: request done in {watch.Elapsed.TotalMilliseconds:0.0} ms (probe timeout 300 ms, response timeout 10000 ms)");

        Assert.Equal("standby page", await BodyAsync(result));
        Assert.Equal(OriginAttemptOutcome.Abandoned, result.Attempts[0].Outcome);
        Assert.Contains("no answer to anything", result.Attempts[0].Error, StringComparison.Ordinal);
        Assert.True(watch.ElapsedMilliseconds < 5000, $"took {watch.ElapsedMilliseconds} ms");
        Assert.False(pair.P.Health.IsHealthy);
    }

    [Fact]
    public async Task FetchAsync_SlowAnswerWhileOthersArrive_NoStall()
    {
        await using var origin = await TestOrigin.StartAsync(async context =>
        {
            if (context.Request.Path == "/slow")
            {
                await Task.Delay(800);
            }

            await context.Response.WriteAsync("page");
        });
        using var o = Runtime("primary", origin.Address, Connection(responseTimeoutMs: 5000, healthCheck: new HealthCheckConfig { TimeoutMs = 400 }));
        var group = OriginGroupRuntime.Single(o);
        (await _fetcher.FetchAsync(group, Get("/warm-up"))).Dispose();

        var slow = _fetcher.FetchAsync(group, Get("/slow"));
        await Task.Delay(50);
        (await _fetcher.FetchAsync(group, Get("/fast"))).Dispose();
        using var result = await slow;

        Assert.True(result.Succeeded);
        Assert.True(o.Health.IsHealthy);
    }

    [Fact]
    public async Task FetchAsync_SlowAnswerAloneInGroupOfOne_MarkedButStillServed()
    {
        await using var origin = await TestOrigin.StartAsync(async context =>
        {
            await Task.Delay(600);
            await context.Response.WriteAsync("slow page");
        });
        using var o = Runtime("only", origin.Address, Connection(responseTimeoutMs: 5000, healthCheck: new HealthCheckConfig { TimeoutMs = 200 }));

        using var result = await _fetcher.FetchAsync(OriginGroupRuntime.Single(o), Get());

        Assert.Equal("slow page", await BodyAsync(result));
        Assert.False(o.Health.IsHealthy);
    }

    [Fact]
    public async Task FetchAsync_OriginFoundBrokenWhileWaiting_MovesOnAtOnce()
    {
        await using var pair = await FrozenPair.StartAsync(Connection(responseTimeoutMs: 10_000, healthCheck: NoStallRule));

        var watch = Stopwatch.StartNew();
        var fetch = _fetcher.FetchAsync(pair.Group, Get());
        await WaitForAsync(() => pair.Frozen.Accepted >= 1, "the request to reach the frozen primary");
        pair.P.Health.RecordProbe(false, "probe of / got no answer within 1000 ms", OriginFailureKind.Transport);
        using var result = await fetch;

        Assert.Equal("standby page", await BodyAsync(result));
        Assert.Equal(OriginAttemptOutcome.Abandoned, result.Attempts[0].Outcome);
        Assert.Contains("probe of /", result.Attempts[0].Error, StringComparison.Ordinal);
        Assert.True(watch.ElapsedMilliseconds < 5000, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task FetchAsync_AllUnhealthy_TriesAllInOrderAndKeepsLastAnswer()
    {
        await using var pair = await OriginPair.StartAsync(503, "primary down", 502, "standby down");
        pair.P.Health.RecordFailure(OriginFailureKind.Transport, "test");
        pair.S.Health.RecordFailure(OriginFailureKind.Transport, "test");
        var group = pair.Group();

        using var result = await _fetcher.FetchAsync(group, Get());

        Assert.False(result.Succeeded);
        Assert.Equal(["primary", "standby"], result.Attempts.Select(a => a.Origin));
        Assert.Equal("standby", result.Origin!.Name);
        Assert.Equal(502, (int)result.Response!.StatusCode);
        Assert.Equal("standby down", await BodyAsync(result));
    }

    [Fact]
    public async Task FetchAsync_AllUnhealthyPrimaryAnswers_ServesPrimaryAndCountsAsProbe()
    {
        await using var pair = await OriginPair.StartAsync(200, "primary page");
        pair.P.Health.RecordFailure(OriginFailureKind.Transport, "test");
        pair.S.Health.RecordFailure(OriginFailureKind.Transport, "test");

        using var result = await _fetcher.FetchAsync(pair.Group(), Get());

        Assert.Equal("primary page", await BodyAsync(result));
        Assert.Equal(1, pair.P.Health.Snapshot().ConsecutiveSuccesses);
        Assert.Equal(0, pair.Standby.Hits);
    }

    [Fact]
    public async Task FetchAsync_NoOriginAnswers_FailsWithoutResponse()
    {
        using var p = Runtime("primary", RefusedAddress());
        using var s = Runtime("standby", RefusedAddress());

        using var result = await _fetcher.FetchAsync(new OriginGroupRuntime("site", [p, s]), Get());

        Assert.False(result.Succeeded);
        Assert.Null(result.Response);
        Assert.All(result.Attempts, a => Assert.Equal(OriginAttemptOutcome.ConnectFailure, a.Outcome));
    }

    [Fact]
    public async Task FetchAsync_Post_GoesToOneOriginOnly()
    {
        await using var pair = await OriginPair.StartAsync(503, "primary down");
        var group = pair.Group();

        using var result = await _fetcher.FetchAsync(group, new OriginRequest { Method = HttpMethod.Post, PathAndQuery = "/form", Content = new StringContent("a=1") });

        Assert.Equal("primary", Assert.Single(result.Attempts).Origin);
        Assert.Equal(503, (int)result.Response!.StatusCode);
        Assert.Equal(0, pair.Standby.Hits);
        Assert.Equal("POST", Assert.Single(pair.Primary.Seen).Method);
    }

    [Fact]
    public async Task FetchAsync_PostWithPrimaryUnhealthy_GoesToFirstHealthy()
    {
        await using var pair = await OriginPair.StartAsync(200, "primary page");
        pair.P.Health.RecordFailure(OriginFailureKind.Transport, "test");

        using var result = await _fetcher.FetchAsync(pair.Group(), new OriginRequest { Method = HttpMethod.Post, PathAndQuery = "/form" });

        Assert.Equal("standby page", await BodyAsync(result));
        Assert.Equal(0, pair.Primary.Hits);
    }

    [Fact]
    public async Task FetchAsync_404NotInFailoverSet_ReturnedAsTheAnswer()
    {
        await using var pair = await OriginPair.StartAsync(404, "no such page");

        using var result = await _fetcher.FetchAsync(pair.Group(), Get());

        Assert.True(result.Succeeded);
        Assert.Equal(404, (int)result.Response!.StatusCode);
        Assert.Equal(0, pair.Standby.Hits);
    }

    [Fact]
    public async Task FetchAsync_404InFailoverSet_FailsOverWithoutHurtingHealth()
    {
        await using var pair = await OriginPair.StartAsync(404, "NoSuchWebsiteConfiguration");
        var group = pair.Group([403, 404, 500, 502, 503, 504]);

        using var result = await _fetcher.FetchAsync(group, Get());

        Assert.Equal("standby page", await BodyAsync(result));
        Assert.Equal(OriginAttemptOutcome.FailoverStatus, result.Attempts[0].Outcome);
        Assert.Equal(0, pair.P.Health.Snapshot().ConsecutiveFailures);
    }

    [Fact]
    public async Task FetchAsync_OriginPathAndHost_SentAsConfigured()
    {
        await using var origin = await TestOrigin.StartAsync(200, "ok");
        using var o = Runtime("primary", origin.Address, Connection() with { OriginPath = "/releases/7", HostHeader = "site.example" });
        var request = new OriginRequest
        {
            Method = HttpMethod.Get,
            PathAndQuery = "/docs/a%20b.html?x=1",
            Headers = [new("If-None-Match", "\"abc\""), new("Host", "visitor.example"), new("Connection", "close"), new("Accept-Encoding", "identity")],
            ForwardedFor = "203.0.113.9",
            Via = "1.1 edge-a (Tandem)",
        };

        using var result = await _fetcher.FetchAsync(OriginGroupRuntime.Single(o), request);

        var seen = Assert.Single(origin.Seen);
        Assert.Equal("/releases/7/docs/a b.html", seen.Path);
        Assert.Equal("?x=1", seen.Query);
        Assert.Equal("site.example", seen.Host);
        Assert.Equal("\"abc\"", seen.Headers["If-None-Match"]);
        Assert.Equal("identity", seen.Headers["Accept-Encoding"]);
        Assert.Equal("203.0.113.9", seen.Headers["X-Forwarded-For"]);
        Assert.Equal("1.1 edge-a (Tandem)", seen.Headers["Via"]);
        Assert.NotEqual("close", seen.Headers.GetValueOrDefault("Connection"));
    }

    [Fact]
    public async Task FetchAsync_NoHostHeaderConfigured_SendsEndpointAuthority()
    {
        await using var origin = await TestOrigin.StartAsync(200, "ok");
        using var o = Runtime("primary", origin.Address);

        using var result = await _fetcher.FetchAsync(OriginGroupRuntime.Single(o), Get("/"));

        Assert.Equal(origin.Address.Authority, Assert.Single(origin.Seen).Host);
    }

    [Fact]
    public async Task FetchAsync_SingleOriginFrozen_WaitsItsTimeoutAndFails()
    {
        using var frozen = new FrozenOrigin();
        using var o = Runtime("only", frozen.Address, Connection(responseTimeoutMs: 300));
        o.Health.RecordFailure(OriginFailureKind.Transport, "already known broken");

        using var result = await _fetcher.FetchAsync(OriginGroupRuntime.Single(o), Get());

        Assert.False(result.Succeeded);
        Assert.Null(result.Response);
        Assert.Equal(OriginAttemptOutcome.ResponseTimeout, Assert.Single(result.Attempts).Outcome);
    }

    [Fact]
    public async Task FetchAsync_FiveMegabyteBody_StreamsWhole()
    {
        var body = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        await using var origin = await TestOrigin.StartAsync(async context =>
        {
            context.Response.ContentLength = body.Length;
            for (var i = 0; i < body.Length; i += 64 * 1024)
            {
                await context.Response.Body.WriteAsync(body.AsMemory(i, Math.Min(64 * 1024, body.Length - i)));
            }
        });
        using var o = Runtime("primary", origin.Address, Connection(responseTimeoutMs: 500));

        using var result = await _fetcher.FetchAsync(OriginGroupRuntime.Single(o), Get("/big.bin"));
        await using var stream = await result.Response!.Content.ReadAsStreamAsync();
        var hash = await SHA256.HashDataAsync(stream);

        Assert.Equal(body.Length, result.Response.Content.Headers.ContentLength);
        Assert.Equal(SHA256.HashData(body), hash);
    }

    [Fact]
    public async Task FetchAsync_BodyStallsMidway_ReadFailsAndOriginTurnsUnhealthy()
    {
        await using var origin = await TestOrigin.StartAsync(async context =>
        {
            context.Response.ContentLength = 1000;
            await context.Response.Body.WriteAsync(new byte[100]);
            await context.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        using var o = Runtime("primary", origin.Address, Connection(responseTimeoutMs: 300));

        using var result = await _fetcher.FetchAsync(OriginGroupRuntime.Single(o), Get());
        await using var stream = await result.Response!.Content.ReadAsStreamAsync();

        var ex = await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(Stream.Null));
        Assert.IsType<TimeoutException>(ex.InnerException);
        Assert.False(o.Health.IsHealthy);
    }

    [Fact]
    public async Task FetchAsync_ConnectFails_TriedConnectionAttemptsTimes()
    {
        var connects = 0;
        var connection = Connection() with { ConnectionAttempts = 3 };
        var handler = OriginClient.CreateHandler(connection);
        handler.ConnectCallback = (_, _) =>
        {
            Interlocked.Increment(ref connects);
            throw new SocketException((int)SocketError.ConnectionRefused);
        };
        using var o = new OriginRuntime(new OriginEndpoint("primary", new Uri("http://127.0.0.1:1"), connection), handler: handler);

        using var result = await _fetcher.FetchAsync(OriginGroupRuntime.Single(o), Get());

        Assert.Equal(OriginAttemptOutcome.ConnectFailure, Assert.Single(result.Attempts).Outcome);
        Assert.Equal(3, connects);
    }

    [Fact]
    public async Task FetchAsync_ConnectHangs_ConnectTimeoutThenStandby()
    {
        await using var standby = await TestOrigin.StartAsync(200, "standby page");
        var connection = Connection(connectTimeoutMs: 200);
        var handler = OriginClient.CreateHandler(connection);
        handler.ConnectCallback = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };
        using var p = new OriginRuntime(new OriginEndpoint("primary", new Uri("http://192.0.2.1"), connection), handler: handler);
        using var s = Runtime("standby", standby.Address);

        using var result = await _fetcher.FetchAsync(new OriginGroupRuntime("site", [p, s]), Get());

        Assert.Equal("standby page", await BodyAsync(result));
        Assert.Equal(OriginAttemptOutcome.ConnectTimeout, result.Attempts[0].Outcome);
        Assert.False(p.Health.IsHealthy);
    }

    [Fact]
    public async Task FetchAsync_VisitorCancels_ThrowsWithoutBlamingOrigin()
    {
        using var frozen = new FrozenOrigin();
        using var o = Runtime("primary", frozen.Address, Connection(responseTimeoutMs: 10_000, healthCheck: NoStallRule));
        using var cts = new CancellationTokenSource(200);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _fetcher.FetchAsync(OriginGroupRuntime.Single(o), Get(), cts.Token));

        Assert.True(o.Health.IsHealthy);
    }
}

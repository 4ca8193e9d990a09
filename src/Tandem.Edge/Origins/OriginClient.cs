using System.Net;
using Tandem.Core.Configuration;

namespace Tandem.Edge.Origins;

/// <summary>What <see cref="OriginClient.SendAsync"/> came to: a response, or why there is none.</summary>
internal readonly record struct OriginSendResult(OriginAttemptOutcome Outcome, HttpResponseMessage? Response, string? Error);

/// <summary>
/// Sends requests to one origin over its own connection pool, with the origin's connect
/// timeout, connection attempts and response timeout.
/// </summary>
internal sealed class OriginClient : IDisposable
{
    // Shorter than the keep-alive of common origin servers (nginx 75 s, Kestrel 130 s), so the
    // edge, not the origin, closes an idle connection and a request never races its close.
    private static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(15);

    // Website endpoints such as S3's rotate addresses behind one name; new connections see DNS changes.
    private static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    private static readonly string[] SkippedHeaders = ["Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade", "Proxy-Connection"];

    private readonly OriginEndpoint _endpoint;
    private readonly TimeProvider _time;

    public OriginClient(OriginEndpoint endpoint, TimeProvider time, HttpMessageHandler? handler = null)
    {
        _endpoint = endpoint;
        _time = time;
        Invoker = new HttpMessageInvoker(handler ?? CreateHandler(endpoint.Connection), disposeHandler: true);
    }

    /// <summary>The origin's connection pool, shared by requests and probes.</summary>
    public HttpMessageInvoker Invoker { get; }

    /// <summary>A handler set up as YARP's forwarder sets up its own: a proxy passes responses on as they are.</summary>
    public static SocketsHttpHandler CreateHandler(OriginConnectionConfig connection) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromMilliseconds(connection.ConnectTimeoutMs),
        PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
        PooledConnectionLifetime = PooledConnectionLifetime,
    };

    /// <summary>The request as this origin gets it: its path prefix, its copy of the release, its Host header.</summary>
    public HttpRequestMessage CreateRequest(OriginRequest request)
    {
        var message = new HttpRequestMessage(request.Method, _endpoint.RequestUri(_endpoint.Target(request)))
        {
            // HTTP/2 where TLS offers it, HTTP/1.1 otherwise (plain-text website endpoints).
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            Content = request.Content,
        };
        foreach (var (name, value) in request.Headers)
        {
            if (Array.Exists(SkippedHeaders, h => h.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        message.Headers.Host = _endpoint.HostHeader;
        if (request.ForwardedFor is { } forwardedFor)
        {
            message.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        if (request.Via is { } via)
        {
            message.Headers.TryAddWithoutValidation("Via", via);
        }

        return message;
    }

    /// <summary>
    /// Sends <paramref name="request"/> and waits for response headers. Connect failures and
    /// connect timeouts are tried again up to ConnectionAttempts times (once when the request
    /// has a body, which can be sent only once); a response timeout is not, because an origin
    /// that took the request and said nothing is the frozen kind that a second wait would not
    /// cure. The response body, once returned, fails any read that waits longer than the
    /// response timeout, and marks the origin unhealthy when one does.
    /// </summary>
    /// <remarks>
    /// Stall rule: when an attempt has waited as long as a health probe may take
    /// (HealthCheck.TimeoutMs) and the origin has answered nothing at all meanwhile, to any
    /// request or probe, the origin is marked unhealthy then and there, as a failed probe would.
    /// That is the signature of a frozen origin, and it cancels <paramref name="abandon"/>, so
    /// under traffic a freeze is found within a probe timeout (1 s by default) rather than a
    /// response timeout (5 s); the attempt itself still waits for its response timeout when it
    /// has no other origin to go to. A slow answer while others keep arriving is not a stall.
    /// </remarks>
    /// <param name="health">The origin's health: noted on every answer, failed on a stall or a stalled body.</param>
    /// <param name="abandon">Cancelled when the attempt should give up and move on (the origin was found broken).</param>
    /// <param name="cancellationToken">The visitor's request; its cancellation is thrown, never classified.</param>
    public async Task<OriginSendResult> SendAsync(OriginRequest request, OriginHealth health, CancellationToken abandon, CancellationToken cancellationToken)
    {
        var attempts = request.Content is null ? _endpoint.Connection.ConnectionAttempts : 1;
        for (var attempt = 1; ; attempt++)
        {
            var result = await SendOnceAsync(request, health, abandon, cancellationToken);
            var connectProblem = result.Outcome is OriginAttemptOutcome.ConnectFailure or OriginAttemptOutcome.ConnectTimeout;
            if (!connectProblem || attempt >= attempts)
            {
                return result;
            }
        }
    }

    private async Task<OriginSendResult> SendOnceAsync(OriginRequest request, OriginHealth health, CancellationToken abandon, CancellationToken cancellationToken)
    {
        var message = CreateRequest(request);
        using var timeout = new CancellationTokenSource(_endpoint.ResponseTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, abandon);
        using var stall = WatchForStall(health);
        try
        {
            var response = await Invoker.SendAsync(message, linked.Token);
            health.NoteAnswer();
            response.Content = new ReadTimeoutContent(response.Content, stream => new ReadTimeoutStream(stream, _endpoint.ResponseTimeout, _time,
                () => health.RecordFailure(OriginFailureKind.Transport, $"response body stalled for {_endpoint.Connection.ResponseTimeoutMs} ms")));
            return new OriginSendResult(OriginAttemptOutcome.Ok, response, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            message.Dispose();
            throw;
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException)
        {
            message.Dispose();
            return Classify(ex, timeout.IsCancellationRequested, abandon.IsCancellationRequested ? health.Snapshot().LastError ?? "" : null);
        }
    }

    /// <summary>Arms the stall rule for one attempt; disposing it before it fires disarms it.</summary>
    private CancellationTokenSource? WatchForStall(OriginHealth health)
    {
        var after = TimeSpan.FromMilliseconds(_endpoint.Connection.HealthCheck.TimeoutMs);
        if (after >= _endpoint.ResponseTimeout)
        {
            return null;
        }

        var started = _time.GetTimestamp();
        var watch = new CancellationTokenSource(after, _time);
        watch.Token.Register(() =>
        {
            if (!health.AnsweredSince(started))
            {
                health.RecordFailure(OriginFailureKind.Transport, $"no answer to anything for {after.TotalMilliseconds:0} ms (healthCheck.timeoutMs) while requests waited");
            }
        });
        return watch;
    }

    private OriginSendResult Classify(Exception ex, bool timedOut, string? abandonedBecause)
    {
        var connection = _endpoint.Connection;
        if (timedOut)
        {
            return new(OriginAttemptOutcome.ResponseTimeout, null, $"no response headers within {connection.ResponseTimeoutMs} ms");
        }

        if (abandonedBecause is not null)
        {
            return new(OriginAttemptOutcome.Abandoned, null, $"gave up waiting: the origin turned unhealthy meanwhile ({abandonedBecause})");
        }

        // SocketsHttpHandler reports its ConnectTimeout as a cancellation wrapping a TimeoutException.
        if (ex is OperationCanceledException && ex.InnerException is TimeoutException)
        {
            return new(OriginAttemptOutcome.ConnectTimeout, null, $"no connection within {connection.ConnectTimeoutMs} ms");
        }

        var detail = ex.InnerException?.Message is { Length: > 0 } inner ? $"{ex.Message} ({inner})" : ex.Message;
        return ex is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError }
            ? new(OriginAttemptOutcome.ConnectFailure, null, detail)
            : new(OriginAttemptOutcome.TransportError, null, detail);
    }

    public void Dispose() => Invoker.Dispose();
}

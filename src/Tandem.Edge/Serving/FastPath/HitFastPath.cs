using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Tandem.Core.Http;

namespace Tandem.Edge.Serving.FastPath;

/// <summary>
/// A Kestrel connection middleware in front of the HTTP/1.1 layer of the visitor listeners. While
/// a connection sends plain GET or HEAD requests (<see cref="RequestHead"/>) that are fresh 200
/// cache hits (<see cref="EdgeHandler.TryServeFast"/>), it answers them itself: a head rendered
/// once per entry and variant, the Date and Age lines, and the body, written straight into the
/// connection's pipe. The first request it does not answer is left unread in the pipe and the
/// connection is handed to Kestrel for good, which then reads that request as if it came first.
///
/// Why by hand: on one core the edge's hit rate was bounded by Kestrel's per-request work
/// (parsing every field into a dictionary, the HttpContext, serialising the header fields each
/// time), not by the cache. This class does only what a hit needs and leaves every other case,
/// including every error answer, to Kestrel. It keeps Kestrel's keep-alive and request-head
/// timeouts itself (one timer for all its connections) and closes connections when the server
/// stops.
/// </summary>
internal sealed class HitFastPath : IDisposable
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(1);

    private readonly EdgeHandler _handler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _keepAliveTicks;
    private readonly long _headTicks;
    private readonly MinDataRate _minDataRate;
    private readonly ConcurrentDictionary<Connection, byte> _open = new();
    private readonly ITimer _sweeper;
    private DateLine? _date;

    public HitFastPath(EdgeHandler handler, TimeSpan keepAlive, TimeSpan requestHeadTimeout, MinDataRate minDataRate, TimeProvider time, ILogger logger)
    {
        _minDataRate = minDataRate;
        _handler = handler;
        _time = time;
        _logger = logger;
        _keepAliveTicks = (long)(keepAlive.TotalSeconds * time.TimestampFrequency);
        _headTicks = (long)(requestHeadTimeout.TotalSeconds * time.TimestampFrequency);
        _sweeper = time.CreateTimer(_ => Sweep(), null, SweepEvery, SweepEvery);
    }

    public void Dispose() => _sweeper.Dispose();

    /// <summary>Serves one connection of a listener (<paramref name="https"/>: behind TLS), then hands it to <paramref name="next"/> unless it ended.</summary>
    public async Task RunAsync(ConnectionContext context, ConnectionDelegate next, bool https)
    {
        // HTTP/2 (chosen by ALPN) is Kestrel's alone.
        if (context.Features.Get<ITlsApplicationProtocolFeature>() is { } alpn && alpn.ApplicationProtocol.Span.SequenceEqual("h2"u8))
        {
            await next(context);
            return;
        }

        var connection = new Connection(context);
        _open.TryAdd(connection, 0);
        bool handOver;
        try
        {
            handOver = await ServeAsync(connection, https);
        }
        catch (Exception ex) when (ex is IOException or ConnectionAbortedException or ConnectionResetException)
        {
            // The visitor went away, the timeout sweeper aborted the connection, or it was closed under us.
            handOver = false;
        }
        finally
        {
            _open.TryRemove(connection, out _);
            connection.Dispose();
        }

        if (handOver)
        {
            await next(context);
        }
    }

    /// <summary>Answers hits until the visitor leaves (false) or sends something else (true: Kestrel takes over).</summary>
    private async Task<bool> ServeAsync(Connection connection, bool https)
    {
        var input = connection.Context.Transport.Input;
        var output = connection.Context.Transport.Output;
        var remote = connection.Context.RemoteEndPoint;
        while (true)
        {
            if (connection.Closing.IsCancellationRequested)
            {
                return false;
            }

            connection.WaitUntil(connection.HeadStarted == 0 ? _time.GetTimestamp() + _keepAliveTicks : connection.HeadStarted + _headTicks);
            var read = await input.ReadAsync();
            connection.WaitUntil(0);
            var buffer = read.Buffer;
            if (read.IsCanceled || (buffer.IsEmpty && read.IsCompleted))
            {
                input.AdvanceTo(buffer.Start);
                return false;
            }

            var started = _time.GetTimestamp();
            if (connection.HeadStarted == 0)
            {
                connection.HeadStarted = started;
            }

            FastHit? hit = null;
            HeadKind kind;
            SimpleRequest request;
            try
            {
                kind = RequestHead.Parse(buffer, out request);
                if (kind == HeadKind.Simple)
                {
                    hit = _handler.TryServeFast(request, https, _time.GetUtcNow());
                }
            }
            catch (Exception ex)
            {
                // A fault here must not cost the visitor the request: the full path answers it.
                EdgeLog.Unhandled(_logger, ex, "GET", "(fast path)");
                kind = HeadKind.Other;
                request = default;
            }

            if (kind == HeadKind.Incomplete && !read.IsCompleted)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            if (hit is not { } answer)
            {
                input.AdvanceTo(buffer.Start);
                return true;
            }

            input.AdvanceTo(buffer.GetPosition(request.Length));
            connection.HeadStarted = 0;
            var bytes = await WriteAsync(connection, output, answer, request.IsHead);
            if (bytes < 0)
            {
                return false;
            }

            _handler.RecordFast(answer, request.IsHead, remote, bytes, _time.GetElapsedTime(started));
        }
    }

    /// <summary>Writes the response; the body bytes sent, or -1 when the connection is gone.</summary>
    private async ValueTask<long> WriteAsync(Connection connection, PipeWriter output, FastHit hit, bool isHead)
    {
        var now = _time.GetUtcNow();
        output.Write(hit.Head.Bytes);
        if (hit.Head.NeedsDate)
        {
            output.Write(Date(now));
        }

        var age = (long)hit.Entry.CurrentAge(now).TotalSeconds;
        var span = output.GetSpan(32);
        "Age: "u8.CopyTo(span);
        Utf8Formatter.TryFormat(age, span[5..], out var digits);
        "\r\n\r\n"u8.CopyTo(span[(5 + digits)..]);
        output.Advance(5 + digits + 4);
        if (isHead || hit.Head.Variant.NotModified)
        {
            return await FlushAsync(connection, output, hit.Head.Bytes.Length) ? 0 : -1;
        }

        // The body in slices, so a large object waits on the socket instead of filling memory.
        const int Slice = 64 * 1024;
        var body = hit.Head.Body;
        for (var offset = 0; offset < body.Length || offset == 0; offset += Slice)
        {
            var part = body.Span.Slice(offset, Math.Min(Slice, body.Length - offset));
            output.Write(part);
            if (!await FlushAsync(connection, output, part.Length))
            {
                return -1;
            }
        }

        return body.Length;
    }

    /// <summary>
    /// Sends what was written; false when the visitor is gone. A visitor that stops reading gets
    /// what Kestrel's MinResponseDataRate gives it (by default 240 bytes/s after a 5 s grace):
    /// only when the socket pushes back is a deadline set, and the sweeper aborts the connection past it.
    /// </summary>
    private async ValueTask<bool> FlushAsync(Connection connection, PipeWriter output, int bytes)
    {
        var flush = output.FlushAsync();
        if (flush.IsCompletedSuccessfully)
        {
            return !flush.Result.IsCompleted;
        }

        var seconds = Math.Max(_minDataRate.GracePeriod.TotalSeconds, bytes / _minDataRate.BytesPerSecond);
        connection.WaitUntil(_time.GetTimestamp() + (long)(seconds * _time.TimestampFrequency));
        var result = await flush;
        connection.WaitUntil(0);
        return !result.IsCompleted;
    }

    /// <summary>The Date line for <paramref name="now"/>, made once per second as Kestrel does.</summary>
    private byte[] Date(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        var date = _date;
        if (date is null || date.Second != second)
        {
            date = new DateLine(second, System.Text.Encoding.ASCII.GetBytes("Date: " + HttpDate.Format(now) + "\r\n"));
            _date = date;
        }

        return date.Bytes;
    }

    /// <summary>Aborts connections that waited longer than Kestrel would let them: idle between requests, sending a head, or not reading the answer.</summary>
    private void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var connection in _open.Keys)
        {
            var deadline = connection.Deadline;
            if (deadline != 0 && now > deadline)
            {
                connection.Context.Abort(new ConnectionAbortedException("The visitor was idle past the keep-alive or request-head timeout."));
            }
        }
    }

    private sealed record DateLine(long Second, byte[] Bytes);

    /// <summary>One visitor connection while the fast path holds it.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly CancellationTokenRegistration _closing;
        private long _deadline;

        public Connection(ConnectionContext context)
        {
            Context = context;
            // Kestrel asks connections to close when the server stops: stop waiting for a request.
            Closing = context.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
            _closing = Closing.Register(static state => ((PipeReader)state!).CancelPendingRead(), context.Transport.Input);
        }

        public ConnectionContext Context { get; }

        public CancellationToken Closing { get; }

        /// <summary>When the head being read began to arrive (timestamp), or 0 between requests.</summary>
        public long HeadStarted { get; set; }

        public long Deadline => Volatile.Read(ref _deadline);

        /// <summary>The timestamp after which the sweeper aborts the connection; 0 while it is not waiting on the visitor.</summary>
        public void WaitUntil(long deadline) => Volatile.Write(ref _deadline, deadline);

        public void Dispose() => _closing.Dispose();
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Tandem.Edge.Serving;

/// <summary>
/// One JSON line per request (time, client, method, path, status, bytes, duration, cache result,
/// origin, behavior). The request path only queues the line; one background writer writes and
/// flushes them in batches, so a slow disk or a full stdout pipe never holds a request (the edge's
/// request code may run on a socket thread, which must not block). When the queue is full, lines
/// are dropped and counted rather than waited for.
/// </summary>
public sealed class AccessLog : IDisposable
{
    private const int QueueLines = 65536;
    private readonly TextWriter? _writer;
    private readonly Channel<string>? _lines;
    private readonly Task _pump = Task.CompletedTask;
    private long _dropped;

    public AccessLog(string? target)
    {
        _writer = target switch
        {
            null => null,
            "stdout" => Console.Out,
            _ => Open(target),
        };
        if (_writer is not null)
        {
            _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(QueueLines) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
            _pump = Task.Run(PumpAsync);
        }
    }

    /// <summary>Lines dropped because the writer fell a whole queue behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private static StreamWriter Open(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        return new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
    }

    /// <summary>False when no access log is kept, so callers can skip gathering what it would say.</summary>
    public bool Enabled => _lines is not null;

    public void Write(HttpContext context, Outcome outcome, TimeSpan elapsed)
    {
        if (_lines is null)
        {
            return;
        }

        Write(context.Connection.RemoteIpAddress?.ToString(), context.Request.Method, context.Request.Path.Value, context.Response.StatusCode,
            outcome.Bytes, elapsed, outcome.Cache, outcome.Origin, outcome.Behavior);
    }

    public void Write(string? client, string method, string? path, int status, long bytes, TimeSpan elapsed, string cache, string? origin, string? behavior)
    {
        if (_lines is null)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("client", client);
            w.WriteString("method", method);
            w.WriteString("path", path);
            w.WriteNumber("status", status);
            w.WriteNumber("bytes", bytes);
            w.WriteNumber("ms", Math.Round(elapsed.TotalMilliseconds, 3));
            w.WriteString("cache", cache);
            w.WriteString("origin", origin);
            w.WriteString("behavior", behavior);
            w.WriteEndObject();
        }

        if (!_lines.Writer.TryWrite(Encoding.UTF8.GetString(buffer.WrittenSpan)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task PumpAsync()
    {
        var reader = _lines!.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                while (reader.TryRead(out var line))
                {
                    _writer!.WriteLine(line);
                }

                _writer!.Flush();
            }
            catch (IOException)
            {
                // A closed stdout or a full disk loses log lines, never requests.
            }
        }
    }

    /// <summary>Writes what is queued, then closes the file.</summary>
    public void Dispose()
    {
        if (_lines is null)
        {
            return;
        }

        _lines.Writer.TryComplete();
        _pump.Wait(TimeSpan.FromSeconds(5));
        if (!ReferenceEquals(_writer, Console.Out))
        {
            _writer!.Dispose();
        }
    }
}

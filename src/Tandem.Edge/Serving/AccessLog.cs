using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tandem.Edge.Serving;

/// <summary>One JSON line per request (time, client, method, path, status, bytes, duration, cache result, origin, behavior).</summary>
public sealed class AccessLog : IDisposable
{
    private readonly TextWriter? _writer;
    private readonly object _gate = new();

    public AccessLog(string? target)
    {
        _writer = target switch
        {
            null => null,
            "stdout" => Console.Out,
            _ => Open(target),
        };
    }

    private static StreamWriter Open(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        return new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public void Write(HttpContext context, Outcome outcome, TimeSpan elapsed)
    {
        if (_writer is null)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("client", context.Connection.RemoteIpAddress?.ToString());
            w.WriteString("method", context.Request.Method);
            w.WriteString("path", context.Request.Path.Value);
            w.WriteNumber("status", context.Response.StatusCode);
            w.WriteNumber("bytes", outcome.Bytes);
            w.WriteNumber("ms", Math.Round(elapsed.TotalMilliseconds, 3));
            w.WriteString("cache", outcome.Cache);
            w.WriteString("origin", outcome.Origin);
            w.WriteString("behavior", outcome.Behavior);
            w.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    public void Dispose()
    {
        if (_writer is not null && !ReferenceEquals(_writer, Console.Out))
        {
            _writer.Dispose();
        }
    }
}

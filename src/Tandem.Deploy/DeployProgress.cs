using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tandem.Deploy;

/// <summary>
/// Transfer progress per origin: one line redrawn in place on a terminal, a few plain lines
/// otherwise. Hand-written because one carriage-returned line is all it needs; a console
/// library's live display would own the terminal while other lines are printed.
/// </summary>
public sealed class DeployProgress(TextWriter writer, bool interactive)
{
    private readonly ConcurrentDictionary<string, Counter> _origins = new(StringComparer.Ordinal);
    private readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    private readonly Lock _drawLock = new();

    /// <summary>Called after each file (tests use it to inject a failure part-way).</summary>
    public Action<string, int>? FileDone { get; set; }

    public void Start(string origin, int files, long bytes)
    {
        _origins[origin] = new Counter { Files = files, Bytes = bytes };
        if (!interactive && files > 0)
        {
            writer.WriteLine($"{origin}: writing {files} file(s), {Format.Bytes(bytes)} to send");
        }
    }

    public void Add(string origin, int files, long bytes)
    {
        var c = _origins[origin];
        var done = Interlocked.Add(ref c.FilesDone, files);
        Interlocked.Add(ref c.BytesDone, bytes);
        if (files > 0)
        {
            FileDone?.Invoke(origin, done);
        }

        if (interactive && _sinceDraw.ElapsedMilliseconds >= 100)
        {
            Draw();
        }
    }

    /// <summary>Clears the progress line before other output.</summary>
    public void Finish()
    {
        if (interactive)
        {
            lock (_drawLock)
            {
                writer.Write("\r\u001b[2K");
                writer.Flush();
            }
        }
    }

    private void Draw()
    {
        lock (_drawLock)
        {
            _sinceDraw.Restart();
            var parts = _origins.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o =>
            {
                var c = o.Value;
                var fraction = c.Bytes > 0 ? (double)Interlocked.Read(ref c.BytesDone) / c.Bytes : c.Files > 0 ? (double)c.FilesDone / c.Files : 1;
                var bar = new string('#', (int)(Math.Clamp(fraction, 0, 1) * 10)).PadRight(10, '.');
                return $"{o.Key} [{bar}] {c.FilesDone}/{c.Files} {Format.Bytes(Interlocked.Read(ref c.BytesDone))}/{Format.Bytes(c.Bytes)}";
            });
            writer.Write("\r\u001b[2K" + string.Join("  ", parts));
            writer.Flush();
        }
    }

    private sealed class Counter
    {
        public int Files;
        public long Bytes;
        public int FilesDone;
        public long BytesDone;
    }
}

internal static class Format
{
    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:F1} KiB",
        < 1024L * 1024 * 1024 => $"{n / (1024.0 * 1024):F1} MiB",
        _ => $"{n / (1024.0 * 1024 * 1024):F2} GiB",
    };
}

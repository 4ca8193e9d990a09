using System.Collections.Concurrent;
using System.Globalization;

namespace Tandem.Deploy.Scanning;

/// <summary>
/// Content hashes of files by full path, kept between deploys so a file whose size and
/// modification time are unchanged is not read again. A file edited within the same tick and
/// size would be missed, so the hash is only trusted when the time matches to the tick. A plain
/// text file, one line per file (size, time, MD5, ETag, path, tab-separated), written by
/// temp-and-rename: one reader and writer, no need for an embedded database; and read in a few
/// milliseconds for 10,000 files, where JSON through reflection took 50 ms of a no-op deploy.
/// </summary>
public sealed class HashCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries;

    private HashCache(ConcurrentDictionary<string, Entry> entries) => _entries = entries;

    /// <summary>One file's hashes as last read.</summary>
    public sealed record Entry(long Size, long MtimeTicks, string Md5, string ETag);

    public int Count => _entries.Count;

    public bool Changed { get; private set; }

    private const string Header = "tandem-hash-cache 1";

    /// <summary>Loads the cache; a missing, unreadable or older-format file gives an empty cache (everything is hashed again).</summary>
    public static HashCache Load(string path)
    {
        var entries = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);
        try
        {
            using var reader = new StreamReader(path);
            if (reader.ReadLine() != Header)
            {
                return new HashCache(entries);
            }

            while (reader.ReadLine() is { } line)
            {
                var f = line.Split('\t', 5);
                if (f.Length == 5 && long.TryParse(f[0], CultureInfo.InvariantCulture, out var size) && long.TryParse(f[1], CultureInfo.InvariantCulture, out var mtime))
                {
                    entries[f[4]] = new Entry(size, mtime, f[2], f[3]);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            entries.Clear();
        }

        return new HashCache(entries);
    }

    public static HashCache Empty() => new(new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal));

    /// <summary>The cached entry when the file still has this size and time.</summary>
    public Entry? Get(string fullPath, long size, long mtimeTicks) =>
        _entries.TryGetValue(fullPath, out var e) && e.Size == size && e.MtimeTicks == mtimeTicks ? e : null;

    public void Set(string fullPath, Entry entry)
    {
        _entries[fullPath] = entry;
        Changed = true;
    }

    /// <summary>Drops entries of files under <paramref name="root"/> that are gone, so the file does not grow forever.</summary>
    public void Retain(string root, IReadOnlySet<string> present)
    {
        foreach (var key in _entries.Keys)
        {
            if (key.StartsWith(root, StringComparison.Ordinal) && !present.Contains(key) && _entries.TryRemove(key, out _))
            {
                Changed = true;
            }
        }
    }

    /// <summary>Writes the cache to a temporary file and renames it over <paramref name="path"/>, so a crash never leaves half a file.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        using (var writer = new StreamWriter(tmp))
        {
            writer.Write(Header);
            writer.Write('\n');
            foreach (var (file, e) in _entries.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                // A path with a tab or newline cannot be written on one line; it is hashed again next time.
                if (file.AsSpan().IndexOfAny('\t', '\n', '\r') < 0)
                {
                    writer.Write(FormattableString.Invariant($"{e.Size}\t{e.MtimeTicks}\t{e.Md5}\t{e.ETag}\t{file}\n"));
                }
            }
        }

        File.Move(tmp, path, overwrite: true);
        Changed = false;
    }
}

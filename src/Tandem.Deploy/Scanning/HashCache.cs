using System.Collections.Concurrent;
using System.Text.Json;

namespace Tandem.Deploy.Scanning;

/// <summary>
/// Content hashes of files by full path, kept between deploys so a file whose size and
/// modification time are unchanged is not read again. A file edited within the same tick and
/// size would be missed, so the hash is only trusted when the time matches to the tick. A plain
/// JSON file written by temp-and-rename: one reader and writer, no need for an embedded database.
/// </summary>
public sealed class HashCache
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, Entry> _entries;

    private HashCache(ConcurrentDictionary<string, Entry> entries) => _entries = entries;

    /// <summary>One file's hashes as last read.</summary>
    public sealed record Entry(long Size, long MtimeTicks, string Md5, string ETag);

    public int Count => _entries.Count;

    public bool Changed { get; private set; }

    /// <summary>Loads the cache; a missing or unreadable file gives an empty cache (everything is hashed again).</summary>
    public static HashCache Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var entries = JsonSerializer.Deserialize<Dictionary<string, Entry>>(stream, Json);
            return new HashCache(new ConcurrentDictionary<string, Entry>(entries ?? [], StringComparer.Ordinal));
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return new HashCache(new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal));
        }
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
        using (var stream = File.Create(tmp))
        {
            JsonSerializer.Serialize(stream, new SortedDictionary<string, Entry>(_entries, StringComparer.Ordinal), Json);
        }

        File.Move(tmp, path, overwrite: true);
        Changed = false;
    }
}

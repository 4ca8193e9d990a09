using System.Collections.Concurrent;

namespace Tandem.Origin.Storage;

/// <summary>
/// Bodies of small objects, kept in memory so a hot page costs no open, read or close. An entry
/// is served only while the index still holds the very <see cref="ObjectInfo"/> it was filled
/// under: every commit and delete puts a new one there (or none), so a stale body is never
/// served even before the writer's <see cref="Remove"/> lands. Bounded by total body bytes;
/// when full, a clock sweep drops entries not read since the last sweep.
/// </summary>
internal sealed class ObjectCache(long capacity, int maxObjectSize)
{
    private readonly ConcurrentDictionary<(BucketState Bucket, string Key), CachedObject> _entries = new();
    private readonly Lock _evictLock = new();
    private long _size;

    /// <summary>Bodies up to this size are cached; larger ones are read from their file.</summary>
    public int MaxObjectSize => maxObjectSize;

    /// <summary>Total body bytes held now.</summary>
    public long Size => Interlocked.Read(ref _size);

    /// <summary>The cached object whose index entry is <paramref name="current"/>, or null.</summary>
    public CachedObject? Get(BucketState bucket, string key, ObjectInfo current)
    {
        if (_entries.TryGetValue((bucket, key), out var entry) && ReferenceEquals(entry.Version, current))
        {
            entry.Referenced = true;
            return entry;
        }

        return null;
    }

    /// <summary>Keeps <paramref name="entry"/>, replacing whatever the key had.</summary>
    public void Add(BucketState bucket, string key, CachedObject entry)
    {
        var length = entry.Body.Length;
        if (length > maxObjectSize || length > capacity)
        {
            return;
        }

        _entries.AddOrUpdate(
            (bucket, key),
            (_, added) =>
            {
                Interlocked.Add(ref _size, added.Body.Length);
                return added;
            },
            (_, old, added) =>
            {
                Interlocked.Add(ref _size, added.Body.Length - old.Body.Length);
                return added;
            },
            entry);
        if (Size > capacity)
        {
            Evict();
        }
    }

    /// <summary>Forgets the key (a write or delete made its entry stale).</summary>
    public void Remove(BucketState bucket, string key)
    {
        if (_entries.TryRemove((bucket, key), out var old))
        {
            Interlocked.Add(ref _size, -old.Body.Length);
        }
    }

    /// <summary>Forgets every entry of a deleted bucket.</summary>
    public void RemoveBucket(BucketState bucket)
    {
        foreach (var (id, _) in _entries)
        {
            if (ReferenceEquals(id.Bucket, bucket))
            {
                Remove(id.Bucket, id.Key);
            }
        }
    }

    private void Evict()
    {
        // One evictor at a time; a reader that finds the cache over its bound meanwhile leaves
        // the work to it.
        if (!_evictLock.TryEnter())
        {
            return;
        }

        try
        {
            // Down to 90%, so a full cache is not swept on every fill. The second pass drops
            // entries whose flag the first pass cleared, when every entry was recently read.
            var target = capacity - (capacity / 10);
            for (var pass = 0; pass < 2 && Size > target; pass++)
            {
                foreach (var (id, entry) in _entries)
                {
                    if (Size <= target)
                    {
                        break;
                    }

                    if (entry.Referenced)
                    {
                        entry.Referenced = false;
                    }
                    else if (_entries.TryRemove(new KeyValuePair<(BucketState, string), CachedObject>(id, entry)))
                    {
                        Interlocked.Add(ref _size, -entry.Body.Length);
                    }
                }
            }
        }
        finally
        {
            _evictLock.Exit();
        }
    }
}

/// <summary>
/// An object held in memory: its metadata, as read from its file, and its body. Immutable and
/// shared by every request that reads it, so disposing it does nothing.
/// </summary>
internal sealed class CachedObject(ObjectInfo version, ObjectInfo info, byte[] body) : IObjectContent
{
    /// <summary>The index entry this was filled under; the entry is current while the index holds it.</summary>
    public ObjectInfo Version => version;

    public ObjectInfo Info => info;

    public byte[] Body => body;

    /// <summary>Read since the last eviction sweep.</summary>
    public bool Referenced { get; set; } = true;

    public Task CopyToAsync(Stream destination, long offset, long count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (offset < 0 || count < 0 || offset > body.Length - count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Bytes {offset} to {offset + count} are outside the {body.Length}-byte body.");
        }

        return destination.WriteAsync(body.AsMemory((int)offset, (int)count), cancellationToken).AsTask();
    }

    public Stream OpenRead() => new MemoryStream(body, writable: false);

    public void Dispose()
    {
    }
}

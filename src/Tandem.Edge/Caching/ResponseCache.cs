using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Tandem.Edge.Caching;

/// <summary>
/// The edge's in-memory cache of whole responses, bounded in bytes. Thread-safe.
/// </summary>
/// <remarks>
/// <para>Hits are the hot path: a lock-free dictionary read, a flag write that only happens the
/// first time an entry is hit between sweeps, and a per-core counter. No lock, no allocation.</para>
/// <para>Eviction is second-chance (CLOCK), an approximation of LRU that needs no bookkeeping on
/// hits: entries wait in insertion order; when the cache is over budget the oldest is looked
/// at; if it was hit since it was last looked at, its flag is cleared and it goes to the back,
/// otherwise it is evicted. An entry whose stale-serving windows have passed gets no second
/// chance. Writers (Set, Remove, Invalidate, eviction) share one lock.</para>
/// <para>Bytes are <see cref="CacheEntry.Size"/> plus the key's text. Compressed variants are
/// accounted when they are made, and may push the cache over budget until the eviction they
/// trigger has run.</para>
/// </remarks>
public sealed class ResponseCache
{
    private readonly ConcurrentDictionary<string, Node> _map = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly StripedCounter _hits = new();
    private readonly StripedCounter _misses = new();

    // Second-chance queue, oldest first; guarded by _lock.
    private Node? _head;
    private Node? _tail;
    private int _count;
    private long _bytes;
    private long _evictions;

    /// <summary>A cache holding at most <paramref name="maxBytes"/> bytes.</summary>
    public ResponseCache(long maxBytes, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentNullException.ThrowIfNull(time);
        MaxBytes = maxBytes;
        _time = time;
    }

    public long MaxBytes { get; }

    /// <summary>Bytes held now.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Entries held now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Lookups that found an entry (fresh or not).</summary>
    public long Hits => _hits.Read();

    /// <summary>Lookups that found nothing.</summary>
    public long Misses => _misses.Read();

    /// <summary>Entries removed to make room.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>The entry under <paramref name="key"/>, fresh or stale; deciding what to do with it is the caller's.</summary>
    public bool TryGet(string key, [MaybeNullWhen(false)] out CacheEntry entry)
    {
        if (TryPeek(key, out entry))
        {
            _hits.Increment();
            return true;
        }

        _misses.Increment();
        return false;
    }

    /// <summary>
    /// Like <see cref="TryGet"/> but counts nothing: for a caller that may still hand the request
    /// to one that calls <see cref="TryGet"/>. Call <see cref="CountHit"/> when it answers from the entry.
    /// </summary>
    public bool TryPeek(string key, [MaybeNullWhen(false)] out CacheEntry entry)
    {
        if (_map.TryGetValue(key, out var node))
        {
            // Write only when the flag changes, so a hot entry's line is not written on every hit.
            if (node.Referenced == 0)
            {
                node.Referenced = 1;
            }

            entry = node.Entry;
            return true;
        }

        entry = null;
        return false;
    }

    /// <summary>Counts a hit found with <see cref="TryPeek"/>.</summary>
    public void CountHit() => _hits.Increment();

    /// <summary>
    /// Stores <paramref name="entry"/> under <paramref name="key"/>, replacing what was there,
    /// and evicts to stay within budget. False (and the key left empty) when the entry alone is
    /// larger than <see cref="MaxBytes"/>.
    /// </summary>
    public bool Set(string key, CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var old))
            {
                RemoveLocked(old);
            }

            var node = new Node(this, key);
            if (!entry.TryClaim(node))
            {
                // The entry is stored elsewhere too; each store needs its own growth accounting.
                entry = entry.Copy();
                entry.TryClaim(node);
            }

            // From the claim on, variants made for the entry are added to the node and to _bytes.
            node.Entry = entry;
            Interlocked.Add(ref _bytes, node.Initial);
            if (Volatile.Read(ref node.Charged) > MaxBytes)
            {
                Discharge(node);
                return false;
            }

            _map[key] = node;
            Append(node);
            _count++;
            EvictLocked(node);
            return true;
        }
    }

    /// <summary>Removes the entry under <paramref name="key"/>; false when there was none.</summary>
    public bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            if (!_map.TryGetValue(key, out var node))
            {
                return false;
            }

            RemoveLocked(node);
            return true;
        }
    }

    /// <summary>
    /// Removes every entry whose path matches <paramref name="pattern"/> (see
    /// <see cref="CacheKey.Matches"/>: an exact path, or a prefix ending in '*'; "/*" is
    /// everything), in every scope. Returns how many were removed.
    /// </summary>
    public int Invalidate(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var removed = 0;
        lock (_lock)
        {
            for (var node = _head; node is not null;)
            {
                var next = node.Next;
                if (CacheKey.Matches(pattern, node.Key))
                {
                    RemoveLocked(node);
                    removed++;
                }

                node = next;
            }
        }

        return removed;
    }

    internal static long KeyBytes(string key) => 2L * key.Length;

    // A variant was made for a stored entry.
    private void Grew(Node node, long bytes)
    {
        if (!node.TryAddCharge(bytes))
        {
            return;
        }

        if (Interlocked.Add(ref _bytes, bytes) > MaxBytes)
        {
            lock (_lock)
            {
                EvictLocked(null);
            }
        }
    }

    private void EvictLocked(Node? keep)
    {
        var now = _time.GetUtcNow();
        while (Volatile.Read(ref _bytes) > MaxBytes && _head is { } oldest)
        {
            if (oldest == keep && oldest == _tail)
            {
                return;
            }

            if (oldest == keep || (oldest.Referenced != 0 && FreshnessPolicy.CanServeOnError(oldest.Entry, now)))
            {
                if (oldest != keep)
                {
                    oldest.Referenced = 0;
                }

                Unlink(oldest);
                Append(oldest);
                continue;
            }

            RemoveLocked(oldest);
            Interlocked.Increment(ref _evictions);
        }
    }

    private void RemoveLocked(Node node)
    {
        _map.TryRemove(new KeyValuePair<string, Node>(node.Key, node));
        Unlink(node);
        _count--;
        Discharge(node);
    }

    private void Discharge(Node node)
    {
        Interlocked.Add(ref _bytes, -Interlocked.Exchange(ref node.Charged, Node.Removed));
        node.Entry.Release(node);
    }

    private void Append(Node node)
    {
        node.Previous = _tail;
        node.Next = null;
        if (_tail is null)
        {
            _head = node;
        }
        else
        {
            _tail.Next = node;
        }

        _tail = node;
    }

    private void Unlink(Node node)
    {
        if (node.Previous is null)
        {
            _head = node.Next;
        }
        else
        {
            node.Previous.Next = node.Next;
        }

        if (node.Next is null)
        {
            _tail = node.Previous;
        }
        else
        {
            node.Next.Previous = node.Previous;
        }

        node.Previous = null;
        node.Next = null;
    }

    private sealed class Node(ResponseCache cache, string key) : ICacheEntryOwner
    {
        // Charged once the node has left the cache: growth reported after that is not counted.
        public const long Removed = long.MinValue;

        public readonly string Key = key;
        public CacheEntry Entry = null!;
        public long Initial;
        public long Charged;
        public int Referenced;
        public Node? Previous;
        public Node? Next;

        // Under the entry's lock, so no growth is reported before the charge is set.
        public void Claimed(long size) => Initial = Charged = size + KeyBytes(Key);

        public bool TryAddCharge(long bytes)
        {
            while (true)
            {
                var charged = Volatile.Read(ref Charged);
                if (charged == Removed)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref Charged, charged + bytes, charged) == charged)
                {
                    return true;
                }
            }
        }

        public void Grew(long bytes) => cache.Grew(this, bytes);
    }
}

namespace Tandem.Origin.Storage;

/// <summary>
/// Objects sorted by key in UTF-8 byte order, kept as a list of sorted chunks so an insert moves
/// at most one chunk (a single sorted array would move the whole bucket) and a seek is two
/// binary searches (<see cref="SortedSet{T}.GetViewBetween"/> counts its whole range, which
/// makes every page of a listing cost the size of the bucket). Not thread-safe: the owner locks.
/// </summary>
internal sealed class SortedObjectList
{
    // A chunk splits in two above this: an insert moves at most 4 KiB of references, and a
    // million objects still make only a few thousand chunks to search.
    private const int MaxChunk = 512;

    private static readonly Utf8KeyComparer Order = Utf8KeyComparer.Instance;

    private readonly List<List<ObjectInfo>> _chunks = [];

    /// <summary>Builds the list from objects in any order; keys must be distinct.</summary>
    public SortedObjectList(IEnumerable<ObjectInfo> objects)
    {
        var all = objects.ToArray();
        Array.Sort(all, (a, b) => Order.Compare(a.Key, b.Key));
        for (var i = 0; i < all.Length; i += MaxChunk / 2)
        {
            _chunks.Add(new List<ObjectInfo>(new ArraySegment<ObjectInfo>(all, i, Math.Min(MaxChunk / 2, all.Length - i))));
        }

        Count = all.Length;
    }

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="info"/> or replaces the object with its key; true when it was added.</summary>
    public bool Set(ObjectInfo info)
    {
        if (_chunks.Count == 0)
        {
            _chunks.Add([info]);
            Count = 1;
            return true;
        }

        var bound = new Bound(info.Key, BoundKind.AtOrAfter);
        var c = Math.Min(FindChunk(bound), _chunks.Count - 1);
        var chunk = _chunks[c];
        var i = FindInChunk(chunk, bound);
        if (i < chunk.Count && chunk[i].Key == info.Key)
        {
            chunk[i] = info;
            return false;
        }

        chunk.Insert(i, info);
        Count++;
        if (chunk.Count > MaxChunk)
        {
            var upper = chunk.GetRange(MaxChunk / 2, chunk.Count - MaxChunk / 2);
            chunk.RemoveRange(MaxChunk / 2, chunk.Count - MaxChunk / 2);
            _chunks.Insert(c + 1, upper);
        }

        return true;
    }

    /// <summary>Removes the object with <paramref name="key"/>; false when there was none.</summary>
    public bool Remove(string key)
    {
        var bound = new Bound(key, BoundKind.AtOrAfter);
        var c = FindChunk(bound);
        if (c == _chunks.Count)
        {
            return false;
        }

        var chunk = _chunks[c];
        var i = FindInChunk(chunk, bound);
        if (i == chunk.Count || chunk[i].Key != key)
        {
            return false;
        }

        chunk.RemoveAt(i);
        Count--;
        if (chunk.Count == 0)
        {
            _chunks.RemoveAt(c);
        }

        return true;
    }

    /// <summary>The first object whose key is at or after (or, with <paramref name="inclusive"/> false, after) <paramref name="key"/>.</summary>
    public Position Seek(string key, bool inclusive) => Seek(new Bound(key, inclusive ? BoundKind.AtOrAfter : BoundKind.After));

    /// <summary>The first object after every key that starts with <paramref name="prefix"/>.</summary>
    public Position SeekPastPrefix(string prefix) => Seek(new Bound(prefix, BoundKind.PastPrefix));

    /// <summary>The object at <paramref name="position"/>, or null past the end.</summary>
    public ObjectInfo? At(Position position) => position.Chunk < _chunks.Count ? _chunks[position.Chunk][position.Index] : null;

    public Position Next(Position position) =>
        position.Index + 1 < _chunks[position.Chunk].Count ? position with { Index = position.Index + 1 } : new Position(position.Chunk + 1, 0);

    /// <summary>All objects in order (for tests and diagnostics).</summary>
    public IEnumerable<ObjectInfo> Enumerate() => _chunks.SelectMany(c => c);

    private Position Seek(Bound bound)
    {
        var c = FindChunk(bound);
        return c == _chunks.Count ? new Position(c, 0) : new Position(c, FindInChunk(_chunks[c], bound));
    }

    // The first chunk whose last object is not before the bound: the bound's position is in it.
    private int FindChunk(Bound bound)
    {
        int lo = 0, hi = _chunks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var chunk = _chunks[mid];
            if (bound.IsBefore(chunk[^1].Key))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int FindInChunk(List<ObjectInfo> chunk, Bound bound)
    {
        int lo = 0, hi = chunk.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (bound.IsBefore(chunk[mid].Key))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>A place in the list; valid until the list changes.</summary>
    public readonly record struct Position(int Chunk, int Index);

    private enum BoundKind
    {
        AtOrAfter,
        After,
        PastPrefix,
    }

    // Splits the sorted keys into those before the bound and the rest; monotone in key order.
    private readonly record struct Bound(string Key, BoundKind Kind)
    {
        public bool IsBefore(string key) => Kind switch
        {
            BoundKind.AtOrAfter => Order.Compare(key, Key) < 0,
            BoundKind.After => Order.Compare(key, Key) <= 0,
            // Keys under a prefix are contiguous and follow the prefix itself, so "before the end
            // of the prefix's range" is "starts with it, or sorts before it".
            _ => key.StartsWith(Key, StringComparison.Ordinal) || Order.Compare(key, Key) < 0,
        };
    }
}

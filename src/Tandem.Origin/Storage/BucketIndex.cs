using System.Collections.Concurrent;

namespace Tandem.Origin.Storage;

/// <summary>
/// What a bucket holds, in memory: a dictionary for lookups that take no lock (the website's
/// hot path) and a sorted list for listings, read under a shared lock. Changed only after the
/// file it describes was renamed into place, by the holder of that key's commit lock.
/// </summary>
internal sealed class BucketIndex
{
    private readonly ConcurrentDictionary<string, ObjectInfo> _byKey;
    private readonly SortedObjectList _sorted;
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    public BucketIndex(IEnumerable<ObjectInfo> objects)
    {
        _sorted = new SortedObjectList(objects);
        _byKey = new ConcurrentDictionary<string, ObjectInfo>(_sorted.Enumerate().Select(o => KeyValuePair.Create(o.Key, o)), StringComparer.Ordinal);
    }

    public int Count => _byKey.Count;

    public ObjectInfo? Get(string key) => _byKey.TryGetValue(key, out var info) ? info : null;

    public void Set(ObjectInfo info)
    {
        _lock.EnterWriteLock();
        try
        {
            _sorted.Set(info);
            _byKey[info.Key] = info;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool Remove(string key)
    {
        _lock.EnterWriteLock();
        try
        {
            _byKey.TryRemove(key, out _);
            return _sorted.Remove(key);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// One page of objects and common prefixes merged in key order. A common prefix stands for
    /// every key under it, so a page never splits one, and paging after a key or prefix that
    /// rolls up into a common prefix skips the rest of that prefix.
    /// </summary>
    public ListPage List(ListRequest request)
    {
        var prefix = request.Prefix ?? "";
        var delimiter = string.IsNullOrEmpty(request.Delimiter) ? null : request.Delimiter;
        var maxKeys = Math.Min(request.MaxKeys, 1000);
        if (maxKeys < 0)
        {
            throw S3Exception.InvalidArgument("max-keys must be between 0 and 1000.");
        }

        if (maxKeys == 0)
        {
            // A truncated page would need a NextAfter to move on, and an empty one has none.
            return new ListPage { Objects = [], CommonPrefixes = [], IsTruncated = false };
        }

        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        string? last = null;
        var truncated = false;

        _lock.EnterReadLock();
        try
        {
            var position = Start(prefix, delimiter, request.After);
            while (_sorted.At(position) is { } info && info.Key.StartsWith(prefix, StringComparison.Ordinal))
            {
                if (objects.Count + prefixes.Count == maxKeys)
                {
                    truncated = true;
                    break;
                }

                if (RollUp(info.Key, prefix, delimiter) is { } common)
                {
                    prefixes.Add(common);
                    last = common;
                    position = _sorted.SeekPastPrefix(common);
                }
                else
                {
                    objects.Add(info);
                    last = info.Key;
                    position = _sorted.Next(position);
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        return new ListPage
        {
            Objects = objects,
            CommonPrefixes = prefixes,
            IsTruncated = truncated,
            NextAfter = truncated ? last : null,
        };
    }

    private SortedObjectList.Position Start(string prefix, string? delimiter, string? after)
    {
        if (after is null || Utf8KeyComparer.Instance.Compare(after, prefix) < 0)
        {
            return _sorted.Seek(prefix, inclusive: true);
        }

        return after.StartsWith(prefix, StringComparison.Ordinal) && RollUp(after, prefix, delimiter) is { } common
            ? _sorted.SeekPastPrefix(common)
            : _sorted.Seek(after, inclusive: false);
    }

    // The common prefix a key falls under: the prefix plus everything up to and including the
    // first delimiter after it.
    private static string? RollUp(string key, string prefix, string? delimiter)
    {
        if (delimiter is null)
        {
            return null;
        }

        var at = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
        return at < 0 ? null : key[..(at + delimiter.Length)];
    }
}

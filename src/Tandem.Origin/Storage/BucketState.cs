using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tandem.Origin.Storage;

/// <summary>
/// A loaded bucket: where its files are, its settings, its index and its uploads. Writers hold
/// <see cref="EnterShared"/> while they make something visible; DeleteBucket holds the gate
/// alone, so nothing lands in a bucket that is being deleted.
/// </summary>
internal sealed class BucketState
{
    public const string ObjectsFolder = "objects";
    public const string UploadsFolder = "uploads";
    public const string ConfigFile = "bucket.json";

    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);

    // Which of the 256 shard folders under objects/ exist: made on first use, so a small bucket
    // is a few folders rather than 256.
    private readonly bool[] _shards = new bool[256];
    private BucketInfo _info;

    public BucketState(string directory, BucketInfo info, BucketIndex index, IEnumerable<KeyValuePair<string, UploadState>> uploads)
    {
        Directory = directory;
        ObjectsDirectory = Path.Join(directory, ObjectsFolder);
        UploadsDirectory = Path.Join(directory, UploadsFolder);
        ConfigPath = Path.Join(directory, ConfigFile);
        _info = info;
        Index = index;
        Uploads = new ConcurrentDictionary<string, UploadState>(uploads, StringComparer.Ordinal);
        foreach (var shard in System.IO.Directory.EnumerateDirectories(ObjectsDirectory))
        {
            if (ShardNumber(Path.GetFileName(shard)) is { } number)
            {
                _shards[number] = true;
            }
        }
    }

    public string Name => Info.Name;

    public string Directory { get; }

    public string ObjectsDirectory { get; }

    public string UploadsDirectory { get; }

    public string ConfigPath { get; }

    public BucketInfo Info
    {
        get => Volatile.Read(ref _info);
        set => Volatile.Write(ref _info, value);
    }

    public BucketIndex Index { get; }

    /// <summary>Multipart uploads in progress, by upload id.</summary>
    public ConcurrentDictionary<string, UploadState> Uploads { get; }

    /// <summary>Serialises changes to bucket.json.</summary>
    public Lock ConfigLock { get; } = new();

    private bool Deleted { get; set; }

    /// <summary>Where the object with <paramref name="key"/> lives: objects/&lt;2 hex&gt;/&lt;SHA-256 of the key&gt;.</summary>
    public string ObjectPath(string key) => Locate(key).Path;

    /// <summary>The object's path and the number of its shard folder.</summary>
    public (string Path, int Shard) Locate(string key)
    {
        var hash = KeyHash(key);
        return (Path.Join(ObjectsDirectory, hash.AsSpan(0, 2), hash), ShardNumber(hash.AsSpan(0, 2))!.Value);
    }

    /// <summary>Creates a shard folder the first time an object goes into it; true when this call created it.</summary>
    public bool EnsureShard(int shard)
    {
        if (Volatile.Read(ref _shards[shard]))
        {
            return false;
        }

        System.IO.Directory.CreateDirectory(Path.Join(ObjectsDirectory, shard.ToString("x2", CultureInfo.InvariantCulture)));
        Volatile.Write(ref _shards[shard], true);
        return true;
    }

    public string UploadDirectory(string uploadId) => Path.Join(UploadsDirectory, uploadId);

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes: the file name, which no key can steer.</summary>
    public static string KeyHash(string key)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        var rented = max > 4096 ? ArrayPool<byte>.Shared.Rent(max) : null;
        try
        {
            Span<byte> utf8 = rented ?? stackalloc byte[4096];
            var length = Encoding.UTF8.GetBytes(key, utf8);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(utf8[..length], hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Holds the gate shared while a write becomes visible; NoSuchBucket once the bucket is deleted.</summary>
    public SharedScope EnterShared()
    {
        _gate.EnterReadLock();
        if (Deleted)
        {
            _gate.ExitReadLock();
            throw S3Exception.NoSuchBucket(Name);
        }

        return new SharedScope(_gate);
    }

    /// <summary>Runs <paramref name="delete"/> with the gate held alone, then marks the bucket deleted for writers waiting on it.</summary>
    public void Delete(Action delete)
    {
        _gate.EnterWriteLock();
        try
        {
            if (Deleted)
            {
                throw S3Exception.NoSuchBucket(Name);
            }

            delete();
            Deleted = true;
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    private static int? ShardNumber(ReadOnlySpan<char> name) =>
        name.Length == 2 && int.TryParse(name, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var number) ? number : null;

    public readonly struct SharedScope(ReaderWriterLockSlim gate) : IDisposable
    {
        public void Dispose() => gate.ExitReadLock();
    }
}

/// <summary>A multipart upload in progress.</summary>
internal sealed record UploadState(string Key, DateTimeOffset Initiated, ObjectHeaders Headers);

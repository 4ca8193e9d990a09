using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;
using Tandem.Core.Configuration;

namespace Tandem.Origin.Storage;

/// <summary>
/// Buckets and objects in a data directory. Every object is one file, written beside its
/// destination and renamed into place, so a write is seen whole or not at all and a crash leaves
/// the previous version intact; an in-memory index answers lookups and listings. See README.md
/// in this folder for the on-disk layout. One process at a time: the store holds DATA/lock.
/// </summary>
public sealed partial class FileObjectStore : IObjectStore, IDisposable
{
    // Same-key commits serialise on one of these; 1024 makes two busy keys rarely share one.
    private const int KeyLockCount = 1024;

    private static readonly IReadOnlyDictionary<string, string> NoChecksums = ReadOnlyDictionary<string, string>.Empty;

    private readonly string _bucketsDirectory;
    private readonly string _tmpDirectory;
    private readonly FileObjectStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SafeFileHandle _lockFile;
    private readonly ConcurrentDictionary<string, BucketState> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _bucketsLock = new();
    private readonly Lock[] _keyLocks = Enumerable.Range(0, KeyLockCount).Select(_ => new Lock()).ToArray();
    private readonly ObjectCache? _cache;

    /// <summary>
    /// Opens (or creates) the store in <paramref name="dataDirectory"/>: removes temporary files
    /// left by a crash and indexes every bucket. Throws <see cref="IOException"/> when another
    /// process has the directory open.
    /// </summary>
    public FileObjectStore(string dataDirectory, FileObjectStoreOptions options, TimeProvider time, ILogger<FileObjectStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger<FileObjectStore>.Instance;
        _cache = options.CacheSize > 0 && options.CacheMaxObjectSize > 0 ? new ObjectCache(options.CacheSize, options.CacheMaxObjectSize) : null;

        var root = Directory.CreateDirectory(Path.GetFullPath(dataDirectory)).FullName;
        _lockFile = LockDataDirectory(root);
        try
        {
            _bucketsDirectory = Directory.CreateDirectory(Path.Join(root, "buckets")).FullName;
            _tmpDirectory = Directory.CreateDirectory(Path.Join(root, "tmp")).FullName;
            RemoveTempLeftovers();
            foreach (var directory in Directory.EnumerateDirectories(_bucketsDirectory))
            {
                LoadBucket(directory);
            }
        }
        catch
        {
            _lockFile.Dispose();
            throw;
        }
    }

    /// <summary>Body bytes the memory cache holds now, for tests.</summary>
    internal long CachedBytes => _cache?.Size ?? 0;

    public IReadOnlyList<BucketInfo> ListBuckets() =>
        [.. _buckets.Values.Select(b => b.Info).OrderBy(b => b.Name, StringComparer.Ordinal)];

    public BucketInfo? GetBucket(string bucket) => _buckets.TryGetValue(bucket, out var state) ? state.Info : null;

    public bool CreateBucket(string bucket, string region)
    {
        if (BucketNames.Check(bucket) is { } problem)
        {
            throw StorageErrors.InvalidBucketName(bucket, problem);
        }

        lock (_bucketsLock)
        {
            if (_buckets.ContainsKey(bucket))
            {
                return false;
            }

            var directory = Path.Join(_bucketsDirectory, bucket);
            if (Directory.Exists(directory))
            {
                throw S3Exception.InternalError($"The folder '{directory}' exists but was not loaded as a bucket (the startup log says why); move it away to create the bucket '{bucket}'.");
            }

            var info = new BucketInfo { Name = bucket, Created = Now(), Region = string.IsNullOrEmpty(region) ? "us-east-1" : region };

            // Built under tmp/ and renamed into buckets/, so a crash leaves either no bucket or
            // a whole one with its bucket.json.
            var staging = Path.Join(_tmpDirectory, Guid.NewGuid().ToString("N") + ".bucket");
            try
            {
                Directory.CreateDirectory(Path.Join(staging, BucketState.ObjectsFolder));
                Directory.CreateDirectory(Path.Join(staging, BucketState.UploadsFolder));
                WriteFile(Path.Join(staging, BucketState.ConfigFile), SerializeBucket(info));
                FlushDirectory(staging);
                Directory.Move(staging, directory);
                FlushDirectory(_bucketsDirectory);
                _buckets[bucket] = new BucketState(directory, info, new BucketIndex([]), []);
                return true;
            }
            finally
            {
                if (Directory.Exists(staging))
                {
                    FileSync.TryDeleteDirectory(staging);
                }
            }
        }
    }

    /// <inheritdoc/>
    /// <remarks>Multipart uploads in progress are aborted with the bucket; only objects make it BucketNotEmpty.</remarks>
    public void DeleteBucket(string bucket)
    {
        lock (_bucketsLock)
        {
            var state = RequireBucket(bucket);
            state.Delete(() =>
            {
                if (state.Index.Count > 0)
                {
                    throw StorageErrors.BucketNotEmpty(bucket);
                }

                // Multipart uploads in progress do not keep a bucket alive; they go with it. Most
                // are what a failed or interrupted sync left behind, and refusing would leave the
                // owner needing ListMultipartUploads and AbortMultipartUpload just to delete.
                var grave = Path.Join(_tmpDirectory, Guid.NewGuid().ToString("N") + ".deleted");
                Directory.Move(state.Directory, grave);
                _buckets.TryRemove(bucket, out _);
                _cache?.RemoveBucket(state);
                FlushDirectory(_bucketsDirectory);
                FileSync.TryDeleteDirectory(grave);
            });
        }
    }

    public void SetWebsite(string bucket, WebsiteConfiguration? configuration) => UpdateBucket(bucket, info => info with { Website = configuration });

    public void SetPolicy(string bucket, string? policyJson) => UpdateBucket(bucket, info => info with { PolicyJson = policyJson });

    public ObjectInfo? GetObjectInfo(string bucket, string key) => RequireBucket(bucket).Index.Get(key);

    /// <inheritdoc/>
    /// <remarks>Small objects come from memory once read (see <see cref="FileObjectStoreOptions.CacheSize"/>).</remarks>
    public IObjectContent? OpenObject(string bucket, string key)
    {
        var state = RequireBucket(bucket);
        if (_cache is null)
        {
            return Open(state, key);
        }

        if (state.Index.Get(key) is not { } current)
        {
            return null;
        }

        if (_cache.Get(state, key, current) is { } cached)
        {
            return cached;
        }

        var content = Open(state, key);
        if (content is null || content.Info.Size > _cache.MaxObjectSize || content.Info.ETag != current.ETag || content.Info.LastModified != current.LastModified)
        {
            // Too large to keep, or replaced since the index was read: the next read fills it.
            return content;
        }

        using (content)
        {
            var body = GC.AllocateUninitializedArray<byte>((int)content.Info.Size);
            content.ReadExactly(body);
            var entry = new CachedObject(current, content.Info, body);
            _cache.Add(state, key, entry);
            return entry;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// If-Match on a key that does not exist is NoSuchKey (404), as S3 answers; If-None-Match: *
    /// on one that does is PreconditionFailed. Both are decided at the rename, under the key's
    /// lock, so of two conditional writers only one can win.
    /// </remarks>
    public async Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        var state = RequireBucket(bucket);
        ObjectKeys.Validate(key);

        var (temp, info) = await ReceiveAsync(key, body, options.Headers, options, cancellationToken);
        using (temp)
        {
            Commit(state, info, temp, options);
        }

        return info;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A copy onto itself needs <paramref name="replaceHeaders"/> (InvalidRequest otherwise, as in
    /// S3). The copy's ETag is the MD5 of its bytes, also when the source was multipart.
    /// </remarks>
    public async Task<ObjectInfo> CopyObjectAsync(string sourceBucket, string sourceKey, string bucket, string key, ObjectHeaders? replaceHeaders, CancellationToken cancellationToken)
    {
        var source = RequireBucket(sourceBucket);
        var target = RequireBucket(bucket);
        ObjectKeys.Validate(key);
        if (replaceHeaders is null && sourceBucket == bucket && sourceKey == key)
        {
            throw StorageErrors.SelfCopyWithoutChange();
        }

        using var content = Open(source, sourceKey) ?? throw S3Exception.NoSuchKey(sourceBucket, sourceKey);
        var from = content.Info;

        // A single-part source's ETag is already the MD5 of these bytes; a multipart one's is
        // not, and S3 gives a copy made in one request a plain MD5 ETag.
        using var md5 = from.PartsCount > 0 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        using var temp = CreateTemp();
        await temp.AppendAsync(content.File, 0, from.Size, md5, cancellationToken);
        var info = new ObjectInfo
        {
            Key = key,
            Size = from.Size,
            ETag = md5 is null ? from.ETag : Convert.ToHexStringLower(md5.GetHashAndReset()),
            LastModified = Now(),
            Headers = replaceHeaders ?? from.Headers,
            // Whole-object checksums still hold for the same bytes; a multipart object's are
            // checksums of part checksums and would not describe the single-part copy.
            Checksums = from.PartsCount > 0 ? NoChecksums : from.Checksums,
        };
        temp.Seal(info, _options.Fsync);
        Commit(target, info, temp, conditions: null);
        return info;
    }

    public bool DeleteObject(string bucket, string key)
    {
        var state = RequireBucket(bucket);
        using (state.EnterShared())
        {
            lock (KeyLock(state, key))
            {
                if (state.Index.Get(key) is null)
                {
                    return false;
                }

                var path = state.ObjectPath(key);
                File.Delete(path);
                state.Index.Remove(key);
                _cache?.Remove(state, key);
                FlushDirectory(Path.GetDirectoryName(path)!);
                return true;
            }
        }
    }

    public ListPage List(string bucket, ListRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RequireBucket(bucket).Index.List(request);
    }

    /// <summary>Releases the data directory's lock; the store must not be used afterwards.</summary>
    public void Dispose() => _lockFile.Dispose();

    private BucketState RequireBucket(string bucket) =>
        _buckets.TryGetValue(bucket, out var state) ? state : throw S3Exception.NoSuchBucket(bucket);

    private FileObjectContent? Open(BucketState state, string key)
    {
        // The index answers "missing" without a failed open: 404s are cheap, and a key is
        // visible exactly when GetObjectInfo says so.
        if (state.Index.Get(key) is null)
        {
            return null;
        }

        var path = state.ObjectPath(key);
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // deleted since the index was read
        }

        try
        {
            // Metadata from the file just opened, not from the index: both describe one version
            // even if the key is replaced this instant.
            var metadata = ObjectFile.TryRead(file, out var problem);
            if (metadata is null || metadata.Key != key)
            {
                StorageLog.ObjectFileUnreadable(_logger, path, problem ?? $"it holds key '{metadata?.Key}', not '{key}'");
                file.Dispose();
                return null;
            }

            return new FileObjectContent(file, metadata.ToInfo(), _options.BufferSize);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Makes a sealed temporary file the object <paramref name="info"/> describes: checks the
    /// write's preconditions, renames the file over the key's path and updates the index, all
    /// under the key's lock so same-key writers land in the order the index shows.
    /// </summary>
    private void Commit(BucketState state, ObjectInfo info, TempObjectFile temp, ObjectWriteOptions? conditions)
    {
        var (path, shard) = state.Locate(info.Key);
        using (state.EnterShared())
        {
            lock (KeyLock(state, info.Key))
            {
                CheckPreconditions(state, info.Key, conditions);
                if (state.EnsureShard(shard))
                {
                    FlushDirectory(state.ObjectsDirectory);
                }

                temp.MoveTo(path);
                state.Index.Set(info);
                _cache?.Remove(state, info.Key);
                FlushDirectory(Path.GetDirectoryName(path)!);
            }
        }
    }

    private static void CheckPreconditions(BucketState state, string key, ObjectWriteOptions? conditions)
    {
        if (conditions is null)
        {
            return;
        }

        var current = state.Index.Get(key);
        if (conditions.IfNoneMatchStar && current is not null)
        {
            throw S3Exception.PreconditionFailed("If-None-Match");
        }

        if (conditions.IfMatch is { } ifMatch)
        {
            // S3 answers a conditional write to a missing key with 404, not 412.
            if (current is null)
            {
                throw S3Exception.NoSuchKey(state.Name, key);
            }

            if (ifMatch.Trim() != "*" && !SameETag(ifMatch, current.ETag))
            {
                throw S3Exception.PreconditionFailed("If-Match");
            }
        }
    }

    /// <summary>ETags compare without their quotes, which clients may or may not send.</summary>
    private static bool SameETag(string given, string stored) =>
        given.Trim().Trim('"').Equals(stored, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads a request body into a sealed temporary file: hashed for its ETag, checked by
    /// BeforeCommit, metadata appended. The caller commits the file or disposes it.
    /// </summary>
    private async Task<(TempObjectFile Temp, ObjectInfo Info)> ReceiveAsync(string key, Stream body, ObjectHeaders headers, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        var temp = CreateTemp();
        try
        {
            var written = await temp.WriteAsync(body, cancellationToken);
            var info = new ObjectInfo
            {
                Key = key,
                Size = written.Length,
                ETag = Convert.ToHexStringLower(written.Md5),
                LastModified = Now(),
                Headers = headers,
                Checksums = await VerifyAsync(options, written),
            };
            temp.Seal(info, _options.Fsync);
            return (temp, info);
        }
        catch
        {
            temp.Dispose();
            throw;
        }
    }

    private static async ValueTask<IReadOnlyDictionary<string, string>> VerifyAsync(ObjectWriteOptions options, WrittenBody written) =>
        options.BeforeCommit is { } verify ? await verify(written) ?? NoChecksums : NoChecksums;

    private Lock KeyLock(BucketState state, string key) =>
        _keyLocks[(uint)HashCode.Combine(state.Name, key) % KeyLockCount];

    private TempObjectFile CreateTemp() => TempObjectFile.Create(_tmpDirectory, _options.BufferSize);

    // S3 reports times to the millisecond; storing no more keeps HEAD, GET and listings equal.
    private DateTimeOffset Now()
    {
        var now = _time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    private void UpdateBucket(string bucket, Func<BucketInfo, BucketInfo> change)
    {
        var state = RequireBucket(bucket);
        using (state.EnterShared())
        {
            lock (state.ConfigLock)
            {
                var updated = change(state.Info);
                WriteFileAtomically(state.ConfigPath, SerializeBucket(updated));
                state.Info = updated;
            }
        }
    }

    private static byte[] SerializeBucket(BucketInfo info) =>
        JsonSerializer.SerializeToUtf8Bytes(StoredBucket.From(info), StorageJson.Default.StoredBucket);

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> by writing a temporary file and renaming it.</summary>
    private void WriteFileAtomically(string path, byte[] content)
    {
        var temp = Path.Join(_tmpDirectory, Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            WriteFile(temp, content);
            File.Move(temp, path, overwrite: true);
            FlushDirectory(Path.GetDirectoryName(path)!);
        }
        finally
        {
            FileSync.TryDelete(temp);
        }
    }

    private void WriteFile(string path, byte[] content)
    {
        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        RandomAccess.Write(file, content, 0);
        if (_options.Fsync)
        {
            RandomAccess.FlushToDisk(file);
        }
    }

    private void FlushDirectory(string path)
    {
        if (_options.Fsync)
        {
            FileSync.FlushDirectory(path);
        }
    }

    private static SafeFileHandle LockDataDirectory(string root)
    {
        var path = Path.Join(root, "lock");
        try
        {
            // FileShare.None takes an exclusive flock on Unix; the kernel drops it when the
            // process dies, however it dies.
            return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"The data directory '{root}' is in use by another process (it holds '{path}'); two stores on one directory would delete each other's in-flight writes.", e);
        }
    }

    private void RemoveTempLeftovers()
    {
        var count = 0;
        foreach (var entry in new DirectoryInfo(_tmpDirectory).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }

            count++;
        }

        if (count > 0)
        {
            StorageLog.TempLeftoversRemoved(_logger, count, _tmpDirectory);
        }
    }

    private void LoadBucket(string directory)
    {
        var name = Path.GetFileName(directory);
        if (BucketNames.Check(name) is { } problem)
        {
            StorageLog.BucketSkipped(_logger, directory, problem);
            return;
        }

        StoredBucket? stored;
        try
        {
            stored = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Join(directory, BucketState.ConfigFile)), StorageJson.Default.StoredBucket);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            StorageLog.BucketSkipped(_logger, directory, $"its {BucketState.ConfigFile} cannot be read: {e.Message}");
            return;
        }

        if (stored is null)
        {
            StorageLog.BucketSkipped(_logger, directory, $"its {BucketState.ConfigFile} is empty");
            return;
        }

        var clock = Stopwatch.StartNew();
        var objects = LoadObjects(Path.Join(directory, BucketState.ObjectsFolder));
        var uploads = LoadUploads(Path.Join(directory, BucketState.UploadsFolder));
        _buckets[name] = new BucketState(directory, stored.ToInfo(name), new BucketIndex(objects), uploads);
        StorageLog.BucketLoaded(_logger, name, objects.Count, uploads.Count, clock.ElapsedMilliseconds);
    }

    private List<ObjectInfo> LoadObjects(string objectsDirectory)
    {
        Directory.CreateDirectory(objectsDirectory);

        // Each file costs an open, a read of its tail and a close. Reading shards in parallel
        // is no slower with a warm page cache and keeps more reads in flight on a cold disk.
        var found = new ConcurrentBag<List<ObjectInfo>>();
        Parallel.ForEach(Directory.EnumerateDirectories(objectsDirectory), shard =>
        {
            var objects = new List<ObjectInfo>();
            foreach (var path in Directory.EnumerateFiles(shard))
            {
                if (LoadObject(path, Path.GetFileName(shard)) is { } info)
                {
                    objects.Add(info);
                }
            }

            found.Add(objects);
        });
        return [.. found.SelectMany(o => o)];
    }

    private ObjectInfo? LoadObject(string path, string shard)
    {
        StoredObject? metadata;
        string? problem;
        try
        {
            metadata = ObjectFile.TryRead(path, out problem);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            (metadata, problem) = (null, e.Message);
        }

        if (metadata is not null)
        {
            var hash = BucketState.KeyHash(metadata.Key);
            if (Path.GetFileName(path) == hash && shard == hash[..2])
            {
                return metadata.ToInfo();
            }

            problem = $"its name is not the hash of the key it holds, '{metadata.Key}'";
        }

        StorageLog.ObjectFileSkipped(_logger, path, problem ?? "unknown");
        return null;
    }
}

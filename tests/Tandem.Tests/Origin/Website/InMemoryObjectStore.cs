using System.Security.Cryptography;
using System.Text;
using Tandem.Origin;
using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Website;

/// <summary>
/// A test double of <see cref="IObjectStore"/> holding objects in memory: only what the website
/// endpoint uses works; the rest throws. It counts opens and open handles so tests can check
/// that a request opens its object once and closes what it opened.
/// </summary>
internal sealed class InMemoryObjectStore : IObjectStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, BucketInfo> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Bucket, string Key), (ObjectInfo Info, byte[] Body)> _objects = [];
    private int _opens;
    private int _openHandles;

    public static readonly DateTimeOffset DefaultLastModified = new(2026, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    /// <summary>OpenObject calls so far, hits and misses.</summary>
    public int Opens => Volatile.Read(ref _opens);

    /// <summary>Handles opened and not yet disposed.</summary>
    public int OpenHandles => Volatile.Read(ref _openHandles);

    /// <summary>When set, every OpenObject throws it, the way a failing disk would.</summary>
    public Exception? OpenFailure { get; set; }

    /// <summary>When set, every GetBucket throws it.</summary>
    public Exception? BucketFailure { get; set; }

    public static string PublicReadPolicy(string bucket) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{bucket}}/*"}]}""";

    /// <summary>A bucket set up as a website: index.html, 404.html and a public-read policy.</summary>
    public InMemoryObjectStore AddSite(string bucket, WebsiteConfiguration? website = null, bool publicRead = true)
    {
        CreateBucket(bucket, "us-east-1");
        SetWebsite(bucket, website ?? new WebsiteConfiguration { IndexDocumentSuffix = "index.html", ErrorDocumentKey = "404.html" });
        SetPolicy(bucket, publicRead ? PublicReadPolicy(bucket) : null);
        return this;
    }

    public ObjectInfo Put(string bucket, string key, string text, string? contentType = "text/html", ObjectHeaders? headers = null, DateTimeOffset? lastModified = null) =>
        Put(bucket, key, Encoding.UTF8.GetBytes(text), (headers ?? ObjectHeaders.Empty) with { ContentType = contentType }, lastModified);

    public ObjectInfo Put(string bucket, string key, byte[] body, ObjectHeaders? headers = null, DateTimeOffset? lastModified = null)
    {
        var info = new ObjectInfo
        {
            Key = key,
            Size = body.Length,
            ETag = Convert.ToHexStringLower(MD5.HashData(body)),
            LastModified = lastModified ?? DefaultLastModified,
            Headers = headers ?? ObjectHeaders.Empty,
        };
        lock (_lock)
        {
            if (!_buckets.ContainsKey(bucket))
            {
                throw S3Exception.NoSuchBucket(bucket);
            }

            _objects[(bucket, key)] = (info, body);
        }

        return info;
    }

    public IReadOnlyList<BucketInfo> ListBuckets()
    {
        lock (_lock)
        {
            return [.. _buckets.Values.OrderBy(b => b.Name, StringComparer.Ordinal)];
        }
    }

    public BucketInfo? GetBucket(string bucket)
    {
        if (BucketFailure is { } failure)
        {
            throw failure;
        }

        lock (_lock)
        {
            return _buckets.GetValueOrDefault(bucket);
        }
    }

    public bool CreateBucket(string bucket, string region)
    {
        lock (_lock)
        {
            return _buckets.TryAdd(bucket, new BucketInfo { Name = bucket, Created = DefaultLastModified, Region = region });
        }
    }

    public void DeleteBucket(string bucket)
    {
        lock (_lock)
        {
            _buckets.Remove(bucket);
        }
    }

    public void SetWebsite(string bucket, WebsiteConfiguration? configuration) => Update(bucket, b => b with { Website = configuration });

    public void SetPolicy(string bucket, string? policyJson) => Update(bucket, b => b with { PolicyJson = policyJson });

    public ObjectInfo? GetObjectInfo(string bucket, string key)
    {
        lock (_lock)
        {
            RequireBucket(bucket);
            return _objects.TryGetValue((bucket, key), out var entry) ? entry.Info : null;
        }
    }

    public IObjectContent? OpenObject(string bucket, string key)
    {
        Interlocked.Increment(ref _opens);
        if (OpenFailure is { } failure)
        {
            throw failure;
        }

        lock (_lock)
        {
            RequireBucket(bucket);
            if (!_objects.TryGetValue((bucket, key), out var entry))
            {
                return null;
            }

            Interlocked.Increment(ref _openHandles);
            return new Content(this, entry.Info, entry.Body);
        }
    }

    public Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWriteOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<ObjectInfo> CopyObjectAsync(string sourceBucket, string sourceKey, string bucket, string key, ObjectHeaders? replaceHeaders, CancellationToken cancellationToken) => throw new NotSupportedException();

    public bool DeleteObject(string bucket, string key)
    {
        lock (_lock)
        {
            return _objects.Remove((bucket, key));
        }
    }

    public ListPage List(string bucket, ListRequest request) => throw new NotSupportedException();

    public string CreateMultipartUpload(string bucket, string key, ObjectHeaders headers) => throw new NotSupportedException();

    public Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWriteOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectWriteOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

    public void AbortMultipartUpload(string bucket, string key, string uploadId) => throw new NotSupportedException();

    public IReadOnlyList<PartInfo> ListParts(string bucket, string key, string uploadId) => throw new NotSupportedException();

    public IReadOnlyList<UploadInfo> ListMultipartUploads(string bucket) => throw new NotSupportedException();

    private void Update(string bucket, Func<BucketInfo, BucketInfo> change)
    {
        lock (_lock)
        {
            RequireBucket(bucket);
            _buckets[bucket] = change(_buckets[bucket]);
        }
    }

    private void RequireBucket(string bucket)
    {
        if (!_buckets.ContainsKey(bucket))
        {
            throw S3Exception.NoSuchBucket(bucket);
        }
    }

    private sealed class Content(InMemoryObjectStore store, ObjectInfo info, byte[] body) : IObjectContent
    {
        private int _disposed;

        public ObjectInfo Info => info;

        public Task CopyToAsync(Stream destination, long offset, long count, CancellationToken cancellationToken) =>
            destination.WriteAsync(body.AsMemory((int)offset, (int)count), cancellationToken).AsTask();

        public Stream OpenRead() => new MemoryStream(body, writable: false);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref store._openHandles);
            }
        }
    }
}

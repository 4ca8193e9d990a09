using System.Security.Cryptography;
using System.Text;
using Tandem.Origin;
using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

/// <summary>A store in a fresh temporary data directory with one bucket, "site"; removed on dispose.</summary>
internal sealed class StoreTestContext : IDisposable
{
    public const string Bucket = "site";

    public StoreTestContext(FileObjectStoreOptions? options = null)
    {
        DataDirectory = Path.Join(Path.GetTempPath(), "tandem-storage-tests", Guid.NewGuid().ToString("N"));
        Options = options ?? new FileObjectStoreOptions { Fsync = false };
        Store = new FileObjectStore(DataDirectory, Options, Time);
        Store.CreateBucket(Bucket, "us-east-1");
    }

    public string DataDirectory { get; }

    public string TmpDirectory => Path.Join(DataDirectory, "tmp");

    public string BucketDirectory => Path.Join(DataDirectory, "buckets", Bucket);

    public FileObjectStoreOptions Options { get; }

    public ManualTime Time { get; } = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public FileObjectStore Store { get; private set; }

    /// <summary>Closes the store and opens a new one on the same directory, as a restart would.</summary>
    public FileObjectStore Reopen()
    {
        Store.Dispose();
        Store = new FileObjectStore(DataDirectory, Options, Time);
        return Store;
    }

    public Task<ObjectInfo> PutAsync(string key, string body, ObjectWriteOptions? options = null) =>
        PutAsync(key, Encoding.UTF8.GetBytes(body), options);

    public Task<ObjectInfo> PutAsync(string key, byte[] body, ObjectWriteOptions? options = null) =>
        Store.PutObjectAsync(Bucket, key, new MemoryStream(body), options ?? new ObjectWriteOptions(), CancellationToken.None);

    public byte[]? Read(string key)
    {
        using var content = Store.OpenObject(Bucket, key);
        if (content is null)
        {
            return null;
        }

        using var body = new MemoryStream();
        content.CopyToAsync(body, 0, content.Info.Size, CancellationToken.None).GetAwaiter().GetResult();
        return body.ToArray();
    }

    public string? ReadText(string key) => Read(key) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>Every file path under the data directory's tmp folder.</summary>
    public string[] TmpEntries() => Directory.GetFileSystemEntries(TmpDirectory);

    /// <summary>Asserts <paramref name="version"/> is still what its key holds, whole, and no temporary file was left.</summary>
    public void AssertStillHolds(ObjectInfo version, string body)
    {
        Assert.Equal(body, ReadText(version.Key));
        ObjectAssert.Same(version, Store.GetObjectInfo(Bucket, version.Key));
        Assert.Empty(TmpEntries());
    }

    public static string Md5Hex(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));

    public static string Md5Hex(string text) => Md5Hex(Encoding.UTF8.GetBytes(text));

    public static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<S3Exception> ThrowsS3Async(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<S3Exception>(action);
        Assert.Equal(code, e.Code);
        return e;
    }

    public static S3Exception ThrowsS3(string code, Action action)
    {
        var e = Assert.Throws<S3Exception>(action);
        Assert.Equal(code, e.Code);
        return e;
    }

    public void Dispose()
    {
        Store.Dispose();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

/// <summary>A clock the test moves.</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>A request body that delivers some bytes and then fails, as a client that disconnects does.</summary>
internal sealed class FailingStream(byte[] prefix, Exception failure) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_position == prefix.Length)
        {
            throw failure;
        }

        var n = Math.Min(count, prefix.Length - _position);
        Array.Copy(prefix, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

using System.Text;
using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

public class FileObjectStoreObjectTests
{
    public static TheoryData<string> TrickyKeys => new()
    {
        "index.html",
        "with space.txt",
        "a+b&c=d?e#f",
        "café/é.txt",
        "say \"hi\" it's",
        "back\\slash",
        "emoji 🎉/😀.png",
        "deep/a/b/c/d/e/f/g/h.txt",
        "dir/",
        "/leading//double",
        "%2e%2e/not-decoded",
        "...",
        "\uFFFD",
    };

    [Theory]
    [MemberData(nameof(TrickyKeys))]
    public async Task PutObject_TrickyKey_RoundTripsExactly(string key)
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = true });
        var body = "body of " + key;

        var put = await context.PutAsync(key, body);

        Assert.Equal(key, put.Key);
        Assert.Equal(StoreTestContext.Md5Hex(body), put.ETag);
        Assert.Equal(key, context.Store.GetObjectInfo(StoreTestContext.Bucket, key)?.Key);
        Assert.Equal(body, context.ReadText(key));
        Assert.Equal([key], context.Store.List(StoreTestContext.Bucket, new ListRequest()).Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task PutObject_KeyAndKeyUnderItAsPrefix_BothExist()
    {
        using var context = new StoreTestContext();

        await context.PutAsync("a", "file a");
        await context.PutAsync("a/b", "file a/b");

        Assert.Equal("file a", context.ReadText("a"));
        Assert.Equal("file a/b", context.ReadText("a/b"));
        Assert.Equal(["a", "a/b"], context.Store.List(StoreTestContext.Bucket, new ListRequest()).Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task PutObject_AnyKey_NeverAppearsInTheFileSystem()
    {
        using var context = new StoreTestContext();

        await context.PutAsync("folder/file.txt", "x");

        var names = Directory.EnumerateFileSystemEntries(context.DataDirectory, "*", SearchOption.AllDirectories).Select(Path.GetFileName);
        Assert.DoesNotContain("folder", names);
        Assert.DoesNotContain("file.txt", names);
    }

    [Theory]
    [InlineData("", "InvalidArgument")]
    [InlineData("..", "InvalidArgument")]
    [InlineData("./x", "InvalidArgument")]
    [InlineData("a/../../etc/passwd", "InvalidArgument")]
    [InlineData("nul\0byte", "InvalidArgument")]
    public async Task PutObject_UnusableKey_IsRejectedAndNothingIsWritten(string key, string code)
    {
        using var context = new StoreTestContext();

        await StoreTestContext.ThrowsS3Async(code, () => context.PutAsync(key, "x"));

        Assert.Empty(context.Store.List(StoreTestContext.Bucket, new ListRequest()).Objects);
        Assert.Empty(context.TmpEntries());
    }

    [Fact]
    public async Task PutObject_KeyOver1024Bytes_IsKeyTooLongError()
    {
        using var context = new StoreTestContext();

        var e = await StoreTestContext.ThrowsS3Async("KeyTooLongError", () => context.PutAsync(new string('k', 1025), "x"));

        Assert.Equal(400, e.Status);
    }

    [Fact]
    public async Task PutObject_HeadersAndMetadata_AreReturnedByInfoAndOpen()
    {
        using var context = new StoreTestContext();
        var headers = new ObjectHeaders
        {
            ContentType = "text/html; charset=utf-8",
            CacheControl = "max-age=60",
            ContentEncoding = "gzip",
            ContentDisposition = "inline",
            ContentLanguage = "fr",
            Expires = "Wed, 21 Oct 2015 07:28:00 GMT",
            WebsiteRedirectLocation = "/elsewhere",
            UserMetadata = new Dictionary<string, string> { ["mtime"] = "1700000000.5", ["md5chksum"] = "abc==" },
        };
        context.Time.Now = new DateTimeOffset(2025, 5, 6, 7, 8, 9, 123, TimeSpan.Zero).AddTicks(4567);

        var put = await context.PutAsync("page.html", "<p>hi</p>", new ObjectWriteOptions { Headers = headers });

        var info = context.Store.GetObjectInfo(StoreTestContext.Bucket, "page.html");
        using var content = context.Store.OpenObject(StoreTestContext.Bucket, "page.html");
        Assert.NotNull(info);
        Assert.NotNull(content);
        Assert.Equal(new DateTimeOffset(2025, 5, 6, 7, 8, 9, 123, TimeSpan.Zero), put.LastModified);
        foreach (var seen in new[] { info, content.Info })
        {
            ObjectAssert.Same(put, seen);
            Assert.Equal(headers with { UserMetadata = seen.Headers.UserMetadata }, seen.Headers);
            Assert.Equal(headers.UserMetadata, seen.Headers.UserMetadata);
        }
    }

    [Fact]
    public async Task PutObject_EmptyBody_HasEmptyMd5ETag()
    {
        using var context = new StoreTestContext();

        var put = await context.PutAsync("empty", []);

        Assert.Equal(0, put.Size);
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", put.ETag);
        Assert.Equal(Array.Empty<byte>(), context.Read("empty"));
    }

    [Fact]
    public async Task PutObject_BodyLargerThanBuffer_IsStoredWhole()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = false, BufferSize = 4096 });
        var body = StoreTestContext.Pattern(100_001, seed: 1);

        var put = await context.PutAsync("big.bin", body);

        Assert.Equal(body.Length, put.Size);
        Assert.Equal(StoreTestContext.Md5Hex(body), put.ETag);
        Assert.Equal(body, context.Read("big.bin"));
    }

    [Fact]
    public async Task CopyToAsync_Range_CopiesJustThoseBytes()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = false, BufferSize = 4096 });
        var body = StoreTestContext.Pattern(20_000, seed: 2);
        await context.PutAsync("file", body);
        using var content = context.Store.OpenObject(StoreTestContext.Bucket, "file")!;
        using var copy = new MemoryStream();

        await content.CopyToAsync(copy, 5000, 9000, CancellationToken.None);

        Assert.Equal(body[5000..14000], copy.ToArray());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => content.CopyToAsync(Stream.Null, 19_999, 2, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => content.CopyToAsync(Stream.Null, -1, 1, CancellationToken.None));
    }

    [Fact]
    public async Task OpenRead_WholeStream_ReturnsBodyWithoutMetadataAndSeeks()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("file.txt", "0123456789");
        using var content = context.Store.OpenObject(StoreTestContext.Bucket, "file.txt")!;

        using var stream = content.OpenRead();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        Assert.Equal(10, stream.Length);
        Assert.Equal("0123456789", await reader.ReadToEndAsync());
        stream.Seek(-3, SeekOrigin.End);
        var tail = new byte[10];
        Assert.Equal(3, stream.Read(tail));
        Assert.Equal("789"u8.ToArray(), tail[..3]);
        Assert.Equal(0, stream.Read(tail));
    }

    [Fact]
    public async Task OpenObject_KeyReplacedWhileOpen_KeepsReadingTheOpenedVersion()
    {
        using var context = new StoreTestContext();
        var v1 = await context.PutAsync("page", "version one");
        using var content = context.Store.OpenObject(StoreTestContext.Bucket, "page")!;

        await context.PutAsync("page", "version two, longer");
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, 0, content.Info.Size, CancellationToken.None);

        Assert.Equal(v1.ETag, content.Info.ETag);
        Assert.Equal("version one", Encoding.UTF8.GetString(copy.ToArray()));
        Assert.Equal("version two, longer", context.ReadText("page"));
    }

    [Fact]
    public async Task DeleteObject_ExistingThenMissing_ReturnsTrueThenFalse()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = true });
        await context.PutAsync("gone", "x");

        Assert.True(context.Store.DeleteObject(StoreTestContext.Bucket, "gone"));
        Assert.False(context.Store.DeleteObject(StoreTestContext.Bucket, "gone"));

        Assert.Null(context.Store.GetObjectInfo(StoreTestContext.Bucket, "gone"));
        Assert.Null(context.Store.OpenObject(StoreTestContext.Bucket, "gone"));
        Assert.Empty(Directory.EnumerateFiles(Path.Join(context.BucketDirectory, "objects"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ObjectOperations_MissingBucket_ThrowNoSuchBucket()
    {
        using var context = new StoreTestContext();

        await StoreTestContext.ThrowsS3Async("NoSuchBucket", () => context.Store.PutObjectAsync("nope", "k", Stream.Null, new ObjectWriteOptions(), CancellationToken.None));
        StoreTestContext.ThrowsS3("NoSuchBucket", () => context.Store.GetObjectInfo("nope", "k"));
        StoreTestContext.ThrowsS3("NoSuchBucket", () => context.Store.OpenObject("nope", "k"));
        StoreTestContext.ThrowsS3("NoSuchBucket", () => context.Store.DeleteObject("nope", "k"));
        StoreTestContext.ThrowsS3("NoSuchBucket", () => context.Store.List("nope", new ListRequest()));
    }

    [Fact]
    public async Task GetObjectInfo_MissingKeyOrUnusableKey_ReturnsNull()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("present", "x");

        Assert.Null(context.Store.GetObjectInfo(StoreTestContext.Bucket, "absent"));
        Assert.Null(context.Store.GetObjectInfo(StoreTestContext.Bucket, "../present"));
        Assert.Null(context.Store.OpenObject(StoreTestContext.Bucket, ""));
    }
}

/// <summary>Field-by-field comparison: records compare dictionaries by reference.</summary>
internal static class ObjectAssert
{
    public static void Same(ObjectInfo expected, ObjectInfo? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Size, actual.Size);
        Assert.Equal(expected.ETag, actual.ETag);
        Assert.Equal(expected.LastModified, actual.LastModified);
        Assert.Equal(expected.PartsCount, actual.PartsCount);
        Assert.Equal(expected.Checksums, actual.Checksums);
        Assert.Equal(expected.Headers with { UserMetadata = actual.Headers.UserMetadata }, actual.Headers);
        Assert.Equal(expected.Headers.UserMetadata, actual.Headers.UserMetadata);
    }
}

using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

public class FileObjectStoreCopyTests
{
    private static readonly ObjectHeaders SourceHeaders = new()
    {
        ContentType = "image/png",
        CacheControl = "max-age=3600",
        UserMetadata = new Dictionary<string, string> { ["mtime"] = "100" },
    };

    [Fact]
    public async Task CopyObject_CopyDirective_KeepsSourceHeadersAndMetadata()
    {
        using var context = new StoreTestContext();
        var source = await context.PutAsync("src.png", "png bytes", new ObjectWriteOptions { Headers = SourceHeaders });
        context.Time.Advance(TimeSpan.FromMinutes(5));

        var copy = await context.Store.CopyObjectAsync(StoreTestContext.Bucket, "src.png", StoreTestContext.Bucket, "dst.png", null, CancellationToken.None);

        Assert.Equal(source.ETag, copy.ETag);
        Assert.Equal(source.LastModified.AddMinutes(5), copy.LastModified);
        Assert.Equal("png bytes", context.ReadText("dst.png"));
        ObjectAssert.Same(source with { Key = "dst.png", LastModified = copy.LastModified }, context.Store.GetObjectInfo(StoreTestContext.Bucket, "dst.png"));
    }

    [Fact]
    public async Task CopyObject_ReplaceDirective_UsesNewHeaders()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("src.png", "png bytes", new ObjectWriteOptions { Headers = SourceHeaders });
        var replacement = new ObjectHeaders { ContentType = "application/octet-stream" };

        var copy = await context.Store.CopyObjectAsync(StoreTestContext.Bucket, "src.png", StoreTestContext.Bucket, "dst.bin", replacement, CancellationToken.None);

        Assert.Equal("application/octet-stream", context.Store.GetObjectInfo(StoreTestContext.Bucket, "dst.bin")?.Headers.ContentType);
        Assert.Null(copy.Headers.CacheControl);
        Assert.Empty(copy.Headers.UserMetadata);
        Assert.Equal("image/png", context.Store.GetObjectInfo(StoreTestContext.Bucket, "src.png")?.Headers.ContentType);
    }

    [Fact]
    public async Task CopyObject_OntoItselfWithReplace_UpdatesMetadataAndKeepsBody()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = true });
        var body = StoreTestContext.Pattern(300_000, seed: 9);
        var before = await context.PutAsync("photo.jpg", body, new ObjectWriteOptions { Headers = SourceHeaders });
        context.Time.Advance(TimeSpan.FromSeconds(30));
        var newHeaders = SourceHeaders with { UserMetadata = new Dictionary<string, string> { ["mtime"] = "200" } };

        var after = await context.Store.CopyObjectAsync(StoreTestContext.Bucket, "photo.jpg", StoreTestContext.Bucket, "photo.jpg", newHeaders, CancellationToken.None);

        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal(before.LastModified.AddSeconds(30), after.LastModified);
        Assert.Equal(body, context.Read("photo.jpg"));
        Assert.Equal("200", context.Store.GetObjectInfo(StoreTestContext.Bucket, "photo.jpg")?.Headers.UserMetadata["mtime"]);
        Assert.Empty(context.TmpEntries());
    }

    [Fact]
    public async Task CopyObject_OntoItselfWithoutChange_IsInvalidRequest()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("k", "v");

        await StoreTestContext.ThrowsS3Async("InvalidRequest", () => context.Store.CopyObjectAsync(StoreTestContext.Bucket, "k", StoreTestContext.Bucket, "k", null, CancellationToken.None));
    }

    [Fact]
    public async Task CopyObject_MissingSourceOrBucket_ThrowsNoSuchKeyOrNoSuchBucket()
    {
        using var context = new StoreTestContext();

        await StoreTestContext.ThrowsS3Async("NoSuchKey", () => context.Store.CopyObjectAsync(StoreTestContext.Bucket, "nope", StoreTestContext.Bucket, "dst", null, CancellationToken.None));
        await StoreTestContext.ThrowsS3Async("NoSuchBucket", () => context.Store.CopyObjectAsync("missing", "k", StoreTestContext.Bucket, "dst", null, CancellationToken.None));
        Assert.Empty(context.TmpEntries());
    }

    [Fact]
    public async Task CopyObject_AcrossBuckets_CopiesBody()
    {
        using var context = new StoreTestContext();
        context.Store.CreateBucket("backup", "us-east-1");
        await context.PutAsync("k", "value");

        await context.Store.CopyObjectAsync(StoreTestContext.Bucket, "k", "backup", "old/k", null, CancellationToken.None);

        using var content = context.Store.OpenObject("backup", "old/k");
        Assert.Equal(5, content?.Info.Size);
        Assert.Equal(StoreTestContext.Md5Hex("value"), content?.Info.ETag);
    }

    [Fact]
    public async Task CopyObject_MultipartSource_GetsPlainMd5ETag()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = false, MinPartSize = 1 });
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, "mp", ObjectHeaders.Empty);
        var p1 = await context.Store.UploadPartAsync(StoreTestContext.Bucket, "mp", id, 1, new MemoryStream("hello "u8.ToArray()), new ObjectWriteOptions(), CancellationToken.None);
        var p2 = await context.Store.UploadPartAsync(StoreTestContext.Bucket, "mp", id, 2, new MemoryStream("world"u8.ToArray()), new ObjectWriteOptions(), CancellationToken.None);
        await context.Store.CompleteMultipartUploadAsync(StoreTestContext.Bucket, "mp", id, [new(1, p1.ETag), new(2, p2.ETag)], new ObjectWriteOptions(), CancellationToken.None);

        var copy = await context.Store.CopyObjectAsync(StoreTestContext.Bucket, "mp", StoreTestContext.Bucket, "plain", null, CancellationToken.None);

        Assert.Equal(StoreTestContext.Md5Hex("hello world"), copy.ETag);
        Assert.Equal(0, copy.PartsCount);
    }
}

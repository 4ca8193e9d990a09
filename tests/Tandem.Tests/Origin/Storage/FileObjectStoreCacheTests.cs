using System.Text;
using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

public class FileObjectStoreCacheTests
{
    [Fact]
    public async Task OpenObject_SmallObjectOpenedTwice_SecondOpenIsTheSameEntryInMemory()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("page.html", "<p>hello</p>");

        using var first = context.Store.OpenObject(StoreTestContext.Bucket, "page.html");
        using var second = context.Store.OpenObject(StoreTestContext.Bucket, "page.html");

        Assert.Same(first, second);
        Assert.Equal("<p>hello</p>", context.ReadText("page.html"));
        Assert.Equal(12, context.Store.CachedBytes);
    }

    [Fact]
    public async Task OpenObject_AfterOverwrite_ServesTheNewBodyAndHeaders()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("page.html", "old");
        Assert.Equal("old", context.ReadText("page.html"));
        context.Time.Advance(TimeSpan.FromSeconds(1));

        var put = await context.Store.PutObjectAsync(StoreTestContext.Bucket, "page.html", new MemoryStream("new"u8.ToArray()),
            new ObjectWriteOptions { Headers = new ObjectHeaders { ContentType = "text/html" } }, CancellationToken.None);

        using var content = context.Store.OpenObject(StoreTestContext.Bucket, "page.html");
        Assert.Equal("new", context.ReadText("page.html"));
        ObjectAssert.Same(put, content!.Info);
        Assert.Equal("text/html", content.Info.Headers.ContentType);
    }

    [Fact]
    public async Task OpenObject_SameBytesPutAgainWithOtherHeaders_ServesTheNewHeaders()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("page.html", "same");
        context.Read("page.html");

        await context.Store.PutObjectAsync(StoreTestContext.Bucket, "page.html", new MemoryStream("same"u8.ToArray()),
            new ObjectWriteOptions { Headers = new ObjectHeaders { CacheControl = "no-cache" } }, CancellationToken.None);

        using var content = context.Store.OpenObject(StoreTestContext.Bucket, "page.html");
        Assert.Equal("no-cache", content!.Info.Headers.CacheControl);
    }

    [Fact]
    public async Task OpenObject_AfterCopyOntoTheKey_ServesTheCopy()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("a.html", "a");
        await context.PutAsync("b.html", "b");
        context.Read("b.html");

        await context.Store.CopyObjectAsync(StoreTestContext.Bucket, "a.html", StoreTestContext.Bucket, "b.html", replaceHeaders: null, CancellationToken.None);

        Assert.Equal("a", context.ReadText("b.html"));
    }

    [Fact]
    public async Task OpenObject_AfterDelete_ReturnsNullAndFreesTheMemory()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("page.html", "body");
        context.Read("page.html");

        context.Store.DeleteObject(StoreTestContext.Bucket, "page.html");

        Assert.Null(context.Store.OpenObject(StoreTestContext.Bucket, "page.html"));
        Assert.Equal(0, context.Store.CachedBytes);
    }

    [Fact]
    public async Task OpenObject_BucketDeletedAndMadeAgain_ServesTheNewBucketsObject()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("page.html", "first bucket");
        context.Read("page.html");
        context.Store.DeleteObject(StoreTestContext.Bucket, "page.html");
        context.Store.DeleteBucket(StoreTestContext.Bucket);
        context.Store.CreateBucket(StoreTestContext.Bucket, "us-east-1");

        await context.PutAsync("page.html", "second bucket");

        Assert.Equal("second bucket", context.ReadText("page.html"));
        Assert.Equal("second bucket".Length, context.Store.CachedBytes);
    }

    [Fact]
    public async Task OpenObject_LargerThanCacheMaxObjectSize_IsReadFromItsFileEachTime()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = false, CacheMaxObjectSize = 1024 });
        var body = StoreTestContext.Pattern(1025, seed: 1);
        await context.PutAsync("big.bin", body);

        using var first = context.Store.OpenObject(StoreTestContext.Bucket, "big.bin");
        using var second = context.Store.OpenObject(StoreTestContext.Bucket, "big.bin");

        Assert.NotSame(first, second);
        Assert.Equal(body, context.Read("big.bin"));
        Assert.Equal(0, context.Store.CachedBytes);
    }

    [Fact]
    public async Task OpenObject_CacheSizeZero_CachesNothing()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = false, CacheSize = 0 });
        await context.PutAsync("page.html", "body");

        using var first = context.Store.OpenObject(StoreTestContext.Bucket, "page.html");
        using var second = context.Store.OpenObject(StoreTestContext.Bucket, "page.html");

        Assert.NotSame(first, second);
        Assert.Equal("body", context.ReadText("page.html"));
    }

    [Fact]
    public async Task OpenObject_MoreThanCacheSize_StaysWithinItAndEveryBodyStaysRight()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = false, CacheSize = 10_000 });
        var bodies = Enumerable.Range(0, 40).Select(i => StoreTestContext.Pattern(1000, seed: i)).ToArray();
        for (var i = 0; i < bodies.Length; i++)
        {
            await context.PutAsync($"page-{i}", bodies[i]);
        }

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < bodies.Length; i++)
            {
                Assert.Equal(bodies[i], context.Read($"page-{i}"));
                Assert.InRange(context.Store.CachedBytes, 0, 10_000);
            }
        }

        Assert.True(context.Store.CachedBytes > 0);
    }

    [Fact]
    public async Task CachedObject_CopyToAsyncRangeAndOpenRead_GiveTheStoredBytes()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("page.html", "0123456789");
        context.Read("page.html");
        using var content = context.Store.OpenObject(StoreTestContext.Bucket, "page.html")!;

        using var part = new MemoryStream();
        await content.CopyToAsync(part, 2, 5, CancellationToken.None);
        using var reader = new StreamReader(content.OpenRead(), Encoding.UTF8);

        Assert.Equal("23456", Encoding.UTF8.GetString(part.ToArray()));
        Assert.Equal("0123456789", await reader.ReadToEndAsync());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => content.CopyToAsync(Stream.Null, 6, 5, CancellationToken.None));
    }

    [Fact]
    public void Options_NegativeCacheSettings_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileObjectStoreOptions { CacheSize = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new FileObjectStoreOptions { CacheMaxObjectSize = -1 });
    }
}

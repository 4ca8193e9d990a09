using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Tandem.Origin.Storage;
using Xunit.Abstractions;

namespace Tandem.Tests.Origin.Storage;

public class FileObjectStoreRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Reopen_AfterWrites_KeepsObjectsBucketsAndSettings()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = true });
        var headers = new ObjectHeaders { ContentType = "text/css", UserMetadata = new Dictionary<string, string> { ["mtime"] = "1" } };
        var written = new List<ObjectInfo>
        {
            await context.PutAsync("style.css", "body{}", new ObjectWriteOptions { Headers = headers }),
            await context.PutAsync("a", "a"),
            await context.PutAsync("a/b", "ab"),
            await context.PutAsync("😀 é", "emoji"),
        };
        context.Store.DeleteObject(StoreTestContext.Bucket, "a");
        written.RemoveAt(1);
        context.Store.CreateBucket("other", "eu-west-1");
        var website = new WebsiteConfiguration
        {
            IndexDocumentSuffix = "index.html",
            ErrorDocumentKey = "404.html",
            RoutingRules = [new RoutingRule(new RoutingRuleCondition("docs/", null), new RoutingRuleRedirect(null, "https", "documents/", null, 301))],
        };
        context.Store.SetWebsite(StoreTestContext.Bucket, website);
        context.Store.SetPolicy(StoreTestContext.Bucket, """{"Statement":[]}""");

        var store = context.Reopen();

        var listed = store.List(StoreTestContext.Bucket, new ListRequest()).Objects;
        Assert.Equal(["a/b", "style.css", "😀 é"], listed.Select(o => o.Key));
        foreach (var before in written)
        {
            ObjectAssert.Same(before, listed.Single(o => o.Key == before.Key));
            ObjectAssert.Same(before, store.GetObjectInfo(StoreTestContext.Bucket, before.Key));
        }

        Assert.Equal("body{}", context.ReadText("style.css"));
        Assert.Equal(["other", "site"], store.ListBuckets().Select(b => b.Name));
        Assert.Equal("eu-west-1", store.GetBucket("other")?.Region);
        Assert.Equal(JsonSerializer.Serialize(website), JsonSerializer.Serialize(store.GetBucket(StoreTestContext.Bucket)?.Website));
        Assert.Equal("""{"Statement":[]}""", store.GetBucket(StoreTestContext.Bucket)?.PolicyJson);
    }

    [Fact]
    public async Task Reopen_TempLeftovers_AreRemoved()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("keep", "kept");
        File.WriteAllText(Path.Join(context.TmpDirectory, "abandoned.tmp"), "partial");
        Directory.CreateDirectory(Path.Join(context.TmpDirectory, "abandoned.bucket", "objects"));

        context.Reopen();

        Assert.Empty(context.TmpEntries());
        Assert.Equal("kept", context.ReadText("keep"));
    }

    [Fact]
    public async Task Reopen_AfterCrashMidUpload_KeepsPreviousVersionAndDropsTheTempFile()
    {
        using var context = new StoreTestContext();
        var v1 = await context.PutAsync("index.html", "<h1>version one</h1>");

        // What a kill -9 during the body of the next PUT leaves: a temp file with part of the
        // body, never renamed. And one killed just before its rename: a whole, sealed file.
        var partial = Path.Join(context.TmpDirectory, Guid.NewGuid().ToString("N") + ".tmp");
        File.WriteAllBytes(partial, Encoding.UTF8.GetBytes("<h1>version tw"));
        var sealedButNotRenamed = TempObjectFile.Create(context.TmpDirectory, 4096);
        await sealedButNotRenamed.WriteAsync(new MemoryStream("<h1>version two</h1>"u8.ToArray()), CancellationToken.None);
        sealedButNotRenamed.Seal(v1 with { Size = 20, ETag = StoreTestContext.Md5Hex("<h1>version two</h1>") }, fsync: false);
        Assert.Equal(2, context.TmpEntries().Length);

        context.Reopen();

        context.AssertStillHolds(v1, "<h1>version one</h1>");
    }

    [Fact]
    public async Task Reopen_DamagedOrMisplacedObjectFiles_AreSkippedAndLeftOnDisk()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("good", "good");
        await context.PutAsync("moved", "moved");
        var objects = Path.Join(context.BucketDirectory, "objects");
        var movedPath = Directory.GetFiles(objects, BucketState.KeyHash("moved"), SearchOption.AllDirectories).Single();
        var wrongName = Path.Join(Path.GetDirectoryName(movedPath)!, new string('0', 64));
        File.Move(movedPath, wrongName);
        var garbageHash = BucketState.KeyHash("garbage");
        Directory.CreateDirectory(Path.Join(objects, garbageHash[..2]));
        File.WriteAllText(Path.Join(objects, garbageHash[..2], garbageHash), "no footer here, just text");
        var truncatedHash = BucketState.KeyHash("truncated");
        Directory.CreateDirectory(Path.Join(objects, truncatedHash[..2]));
        File.WriteAllBytes(Path.Join(objects, truncatedHash[..2], truncatedHash), [1, 2, 3]);

        var store = context.Reopen();

        Assert.Equal(["good"], store.List(StoreTestContext.Bucket, new ListRequest()).Objects.Select(o => o.Key));
        Assert.Null(store.OpenObject(StoreTestContext.Bucket, "garbage"));
        Assert.True(File.Exists(wrongName));
        Assert.Equal("good", context.ReadText("good"));
    }

    [Fact]
    public async Task Reopen_ThousandsOfObjects_IndexesAllOfThemQuickly()
    {
        const int Count = 3000;
        using var context = new StoreTestContext();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Count), async (i, _) =>
            await context.PutAsync($"assets/{i % 50}/file-{i}.js", $"console.log({i})", new ObjectWriteOptions { Headers = new ObjectHeaders { ContentType = "text/javascript" } }));
        output.WriteLine($"{Count} puts: {clock.ElapsedMilliseconds} ms");

        clock.Restart();
        var store = context.Reopen();
        var elapsed = clock.Elapsed;
        output.WriteLine($"index of {Count} objects built in {elapsed.TotalMilliseconds:F0} ms");

        Assert.Equal(Count, CountAll(store));
        Assert.Equal("text/javascript", store.GetObjectInfo(StoreTestContext.Bucket, "assets/7/file-1257.js")?.Headers.ContentType);
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"indexing {Count} objects took {elapsed}");

        clock.Restart();
        const int Lookups = 1_000_000;
        for (var i = 0; i < Lookups; i++)
        {
            _ = store.GetObjectInfo(StoreTestContext.Bucket, "assets/7/file-1257.js");
        }

        output.WriteLine($"GetObjectInfo: {clock.Elapsed.TotalNanoseconds / Lookups:F0} ns per call");
    }

    [Fact]
    public void Constructor_DirectoryInUseByAnotherStore_Throws()
    {
        using var context = new StoreTestContext();

        var e = Assert.Throws<IOException>(() => new FileObjectStore(context.DataDirectory, new FileObjectStoreOptions(), TimeProvider.System));

        Assert.Contains("in use", e.Message);
    }

    private static int CountAll(FileObjectStore store)
    {
        var count = 0;
        string? after = null;
        ListPage page;
        do
        {
            page = store.List(StoreTestContext.Bucket, new ListRequest { After = after });
            count += page.Objects.Count;
            after = page.NextAfter;
        }
        while (page.IsTruncated);
        return count;
    }
}

using System.Security.Cryptography;
using System.Text;
using Tandem.Origin;
using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

public class FileObjectStoreAtomicityTests
{
    [Fact]
    public async Task PutObject_BeforeCommitThrows_KeepsOldVersionAndNoTempFile()
    {
        using var context = new StoreTestContext();
        var old = await context.PutAsync("page", "old");
        var options = new ObjectWriteOptions
        {
            BeforeCommit = _ => throw S3Exception.BadDigest("The Content-MD5 you specified did not match what we received."),
        };

        await StoreTestContext.ThrowsS3Async("BadDigest", () => context.PutAsync("page", "new", options));

        context.AssertStillHolds(old, "old");
    }

    [Fact]
    public async Task PutObject_BeforeCommit_SeesLengthAndMd5AndItsChecksumsAreStored()
    {
        using var context = new StoreTestContext();
        WrittenBody? seen = null;
        var options = new ObjectWriteOptions
        {
            BeforeCommit = body =>
            {
                seen = body;
                return ValueTask.FromResult<IReadOnlyDictionary<string, string>?>(new Dictionary<string, string> { ["CRC32"] = "NSRBwg==" });
            },
        };

        var put = await context.PutAsync("file", "hello world", options);

        Assert.Equal(11, seen?.Length);
        Assert.Equal(MD5.HashData("hello world"u8), seen?.Md5);
        Assert.Equal("NSRBwg==", put.Checksums["CRC32"]);
        Assert.Equal("NSRBwg==", context.Reopen().GetObjectInfo(StoreTestContext.Bucket, "file")?.Checksums["CRC32"]);
    }

    [Fact]
    public async Task PutObject_BodyThrowsMidway_KeepsOldVersionAndNoTempFile()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = false, BufferSize = 4096 });
        var old = await context.PutAsync("page", "old");
        var body = new FailingStream(StoreTestContext.Pattern(50_000, seed: 3), new IOException("client went away"));

        await Assert.ThrowsAsync<IOException>(() => context.Store.PutObjectAsync(StoreTestContext.Bucket, "page", body, new ObjectWriteOptions(), CancellationToken.None));

        context.AssertStillHolds(old, "old");
    }

    [Fact]
    public async Task PutObject_CancelledMidway_KeepsOldVersionAndNoTempFile()
    {
        using var context = new StoreTestContext();
        var old = await context.PutAsync("page", "old");
        using var cancel = new CancellationTokenSource();
        var body = new FailingStream(new byte[1000], new OperationCanceledException(cancel.Token));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => context.Store.PutObjectAsync(StoreTestContext.Bucket, "page", body, new ObjectWriteOptions(), cancel.Token));

        context.AssertStillHolds(old, "old");
    }

    [Fact]
    public async Task PutObject_SixteenConcurrentPutsOfOneKey_EndWithOneWholeBodyAndItsETag()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = false, BufferSize = 4096 });
        var bodies = Enumerable.Range(0, 16).Select(i => StoreTestContext.Pattern(200_000 + i, seed: i)).ToArray();

        var puts = await Task.WhenAll(bodies.Select(b => Task.Run(() => context.PutAsync("contended", b))));

        var stored = context.Read("contended")!;
        var winner = Array.FindIndex(bodies, b => b.AsSpan().SequenceEqual(stored));
        Assert.True(winner >= 0, "the stored body is none of the bodies put");
        var info = context.Store.GetObjectInfo(StoreTestContext.Bucket, "contended")!;
        Assert.Equal(StoreTestContext.Md5Hex(stored), info.ETag);
        Assert.Equal(puts[winner].ETag, info.ETag);
        Assert.Equal(stored.Length, info.Size);
        Assert.Empty(context.TmpEntries());
        Assert.Single(context.Store.List(StoreTestContext.Bucket, new ListRequest()).Objects);
    }

    [Fact]
    public async Task OpenObject_DuringConcurrentOverwrites_BodyAlwaysMatchesItsETag()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = false, BufferSize = 4096 });
        await context.PutAsync("hot", "first");
        var writing = true;
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                await context.PutAsync("hot", StoreTestContext.Pattern(1 + (i * 997 % 40_000), seed: i));
            }

            Volatile.Write(ref writing, false);
        });

        var reads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var count = 0;
            while (Volatile.Read(ref writing) || count == 0)
            {
                Assert.NotNull(context.Store.GetObjectInfo(StoreTestContext.Bucket, "hot"));
                using var content = context.Store.OpenObject(StoreTestContext.Bucket, "hot");
                Assert.NotNull(content);
                using var body = new MemoryStream();
                await content.CopyToAsync(body, 0, content.Info.Size, CancellationToken.None);
                Assert.Equal(content.Info.Size, body.Length);
                Assert.Equal(content.Info.ETag, StoreTestContext.Md5Hex(body.ToArray()));
                count++;
            }

            return count;
        })));
        await writer;

        Assert.All(reads, count => Assert.True(count > 0));
    }

    [Fact]
    public async Task PutObject_IfNoneMatchStarOnExistingKey_FailsAndKeepsIt()
    {
        using var context = new StoreTestContext();
        var original = await context.PutAsync("k", "original");

        var e = await StoreTestContext.ThrowsS3Async("PreconditionFailed", () => context.PutAsync("k", "other", new ObjectWriteOptions { IfNoneMatchStar = true }));

        Assert.Equal(412, e.Status);
        context.AssertStillHolds(original, "original");
    }

    [Fact]
    public async Task PutObject_SixteenConcurrentIfNoneMatchStarCreators_ExactlyOneWins()
    {
        using var context = new StoreTestContext();
        var bodies = Enumerable.Range(0, 16).Select(i => $"creator {i}").ToArray();

        var results = await Task.WhenAll(bodies.Select(body => Task.Run(async () =>
        {
            try
            {
                return await context.PutAsync("lock", body, new ObjectWriteOptions { IfNoneMatchStar = true });
            }
            catch (S3Exception e) when (e.Code == "PreconditionFailed")
            {
                return null;
            }
        })));

        var winner = Assert.Single(results, r => r is not null)!;
        Assert.Equal(bodies[Array.IndexOf(results, winner)], context.ReadText("lock"));
        Assert.Equal(winner.ETag, context.Store.GetObjectInfo(StoreTestContext.Bucket, "lock")?.ETag);
    }

    [Fact]
    public async Task PutObject_IfMatch_WritesOnlyOverTheMatchingVersion()
    {
        using var context = new StoreTestContext();
        var v1 = await context.PutAsync("k", "v1");

        var v2 = await context.PutAsync("k", "v2", new ObjectWriteOptions { IfMatch = v1.QuotedETag });
        await StoreTestContext.ThrowsS3Async("PreconditionFailed", () => context.PutAsync("k", "v3", new ObjectWriteOptions { IfMatch = v1.ETag }));
        await StoreTestContext.ThrowsS3Async("NoSuchKey", () => context.PutAsync("missing", "x", new ObjectWriteOptions { IfMatch = v1.ETag }));

        Assert.Equal("v2", context.ReadText("k"));
        Assert.Equal(v2.ETag, context.Store.GetObjectInfo(StoreTestContext.Bucket, "k")?.ETag);
        Assert.Null(context.Store.GetObjectInfo(StoreTestContext.Bucket, "missing"));
    }

    [Fact]
    public async Task PutObject_ManyKeysConcurrently_AllLandWhole()
    {
        using var context = new StoreTestContext();

        await Parallel.ForEachAsync(Enumerable.Range(0, 200), async (i, _) => await context.PutAsync($"many/{i}", $"body {i}"));

        var listed = context.Store.List(StoreTestContext.Bucket, new ListRequest { Prefix = "many/" }).Objects;
        Assert.Equal(200, listed.Count);
        Assert.All(listed, o => Assert.Equal(StoreTestContext.Md5Hex(Encoding.UTF8.GetString(context.Read(o.Key)!)), o.ETag));
    }
}

using System.Security.Cryptography;
using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

public class FileObjectStoreMultipartTests
{
    private const int MinPart = 1024;
    private const string Key = "videos/big file.mp4";

    [Fact]
    public async Task Complete_PartsOutOfOrderConcurrentAndReuploaded_JoinsLatestPartsWithS3ETag()
    {
        using var context = NewContext();
        var headers = new ObjectHeaders { ContentType = "video/mp4", UserMetadata = new Dictionary<string, string> { ["md5chksum"] = "x" } };
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, headers);
        var p1 = StoreTestContext.Pattern(1500, seed: 1);
        var p2Old = StoreTestContext.Pattern(2000, seed: 2);
        var p2 = StoreTestContext.Pattern(1100, seed: 22);
        var p3 = StoreTestContext.Pattern(10, seed: 3);

        await Task.WhenAll(Upload(context, id, 3, p3), Upload(context, id, 1, p1), Upload(context, id, 2, p2Old));
        var e2 = await Upload(context, id, 2, p2);
        var info = await context.Store.CompleteMultipartUploadAsync(
            StoreTestContext.Bucket,
            Key,
            id,
            [new(1, "\"" + StoreTestContext.Md5Hex(p1) + "\""), new(2, e2.ETag), new(3, StoreTestContext.Md5Hex(p3).ToUpperInvariant())],
            new ObjectWriteOptions(),
            CancellationToken.None);

        var expectedETag = Convert.ToHexStringLower(MD5.HashData([.. MD5.HashData(p1), .. MD5.HashData(p2), .. MD5.HashData(p3)])) + "-3";
        Assert.Equal(expectedETag, info.ETag);
        Assert.Equal(3, info.PartsCount);
        Assert.Equal(p1.Length + p2.Length + p3.Length, info.Size);
        Assert.Equal([.. p1, .. p2, .. p3], context.Read(Key)!);
        Assert.Equal("video/mp4", info.Headers.ContentType);
        ObjectAssert.Same(info, context.Store.GetObjectInfo(StoreTestContext.Bucket, Key));
        ObjectAssert.Same(info, context.Reopen().GetObjectInfo(StoreTestContext.Bucket, Key));
        Assert.Empty(context.Store.ListMultipartUploads(StoreTestContext.Bucket));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Join(context.BucketDirectory, "uploads")));
        Assert.Empty(context.TmpEntries());
    }

    [Fact]
    public async Task UploadPart_BeforeComplete_NothingIsListed()
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, "new/dir/file", ObjectHeaders.Empty);
        await context.Store.UploadPartAsync(StoreTestContext.Bucket, "new/dir/file", id, 1, new MemoryStream(new byte[10]), new ObjectWriteOptions(), CancellationToken.None);

        var page = context.Store.List(StoreTestContext.Bucket, new ListRequest { Delimiter = "/" });

        Assert.Empty(page.Objects);
        Assert.Empty(page.CommonPrefixes);
        Assert.Null(context.Store.GetObjectInfo(StoreTestContext.Bucket, "new/dir/file"));
        var upload = Assert.Single(context.Store.ListMultipartUploads(StoreTestContext.Bucket));
        Assert.Equal(("new/dir/file", id), (upload.Key, upload.UploadId));
    }

    [Fact]
    public async Task Complete_WrongETagOrMissingPart_IsInvalidPart()
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, ObjectHeaders.Empty);
        var part = await Upload(context, id, 1, new byte[MinPart]);

        await StoreTestContext.ThrowsS3Async("InvalidPart", () => Complete(context, id, new CompletedPart(1, new string('0', 32))));
        await StoreTestContext.ThrowsS3Async("InvalidPart", () => Complete(context, id, new CompletedPart(1, part.ETag), new CompletedPart(2, part.ETag)));

        Assert.Single(context.Store.ListMultipartUploads(StoreTestContext.Bucket));
        Assert.Null(context.Store.GetObjectInfo(StoreTestContext.Bucket, Key));
    }

    [Fact]
    public async Task Complete_PartsNotAscending_IsInvalidPartOrder()
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, ObjectHeaders.Empty);
        var p1 = await Upload(context, id, 1, new byte[MinPart]);
        var p2 = await Upload(context, id, 2, new byte[MinPart]);

        await StoreTestContext.ThrowsS3Async("InvalidPartOrder", () => Complete(context, id, new CompletedPart(2, p2.ETag), new CompletedPart(1, p1.ETag)));
        await StoreTestContext.ThrowsS3Async("InvalidPartOrder", () => Complete(context, id, new CompletedPart(1, p1.ETag), new CompletedPart(1, p1.ETag)));
    }

    [Fact]
    public async Task Complete_NonLastPartBelowMinimum_IsEntityTooSmall()
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, ObjectHeaders.Empty);
        var small = await Upload(context, id, 1, new byte[MinPart - 1]);
        var last = await Upload(context, id, 2, new byte[1]);

        var e = await StoreTestContext.ThrowsS3Async("EntityTooSmall", () => Complete(context, id, new CompletedPart(1, small.ETag), new CompletedPart(2, last.ETag)));

        Assert.Equal(400, e.Status);
    }

    [Fact]
    public async Task Complete_SmallLastPartOrSinglePart_Succeeds()
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, ObjectHeaders.Empty);
        var only = await Upload(context, id, 1, new byte[3]);

        var info = await Complete(context, id, new CompletedPart(1, only.ETag));

        Assert.Equal(3, info.Size);
        Assert.EndsWith("-1", info.ETag);
    }

    [Fact]
    public async Task Complete_IfNoneMatchStarOnExistingKey_FailsAndKeepsUploadAndObject()
    {
        using var context = NewContext();
        await context.PutAsync(Key, "existing");
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, ObjectHeaders.Empty);
        var part = await Upload(context, id, 1, new byte[5]);

        await StoreTestContext.ThrowsS3Async("PreconditionFailed", () => context.Store.CompleteMultipartUploadAsync(
            StoreTestContext.Bucket, Key, id, [new(1, part.ETag)], new ObjectWriteOptions { IfNoneMatchStar = true }, CancellationToken.None));

        Assert.Equal("existing", context.ReadText(Key));
        Assert.Single(context.Store.ListMultipartUploads(StoreTestContext.Bucket));
        Assert.Empty(context.TmpEntries());
    }

    [Fact]
    public async Task Abort_Upload_RemovesItAndLaterCallsAreNoSuchUpload()
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, ObjectHeaders.Empty);
        var part = await Upload(context, id, 1, new byte[5]);

        context.Store.AbortMultipartUpload(StoreTestContext.Bucket, Key, id);

        Assert.Empty(context.Store.ListMultipartUploads(StoreTestContext.Bucket));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Join(context.BucketDirectory, "uploads")));
        await StoreTestContext.ThrowsS3Async("NoSuchUpload", () => Upload(context, id, 2, new byte[5]));
        await StoreTestContext.ThrowsS3Async("NoSuchUpload", () => Complete(context, id, new CompletedPart(1, part.ETag)));
        StoreTestContext.ThrowsS3("NoSuchUpload", () => context.Store.AbortMultipartUpload(StoreTestContext.Bucket, Key, id));
        StoreTestContext.ThrowsS3("NoSuchUpload", () => context.Store.ListParts(StoreTestContext.Bucket, Key, id));
        Assert.Empty(context.TmpEntries());
    }

    [Theory]
    [InlineData("other-key", null)]
    [InlineData(Key, "00000000000000000000000000000000")]
    [InlineData(Key, "../../../../etc")]
    [InlineData(Key, "")]
    public async Task UploadPart_UnknownIdOrIdOfAnotherKey_IsNoSuchUpload(string key, string? uploadId)
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, ObjectHeaders.Empty);

        await StoreTestContext.ThrowsS3Async("NoSuchUpload", () => context.Store.UploadPartAsync(
            StoreTestContext.Bucket, key, uploadId ?? id, 1, new MemoryStream([1]), new ObjectWriteOptions(), CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public async Task UploadPart_PartNumberOutOfRange_IsInvalidArgument(int partNumber)
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, ObjectHeaders.Empty);

        await StoreTestContext.ThrowsS3Async("InvalidArgument", () => Upload(context, id, partNumber, [1]));
    }

    [Fact]
    public async Task UploadPart_BeforeCommitThrows_KeepsEarlierPart()
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, ObjectHeaders.Empty);
        var first = await Upload(context, id, 1, [1, 2, 3]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => context.Store.UploadPartAsync(
            StoreTestContext.Bucket, Key, id, 1, new MemoryStream([9]), new ObjectWriteOptions { BeforeCommit = _ => throw new InvalidOperationException() }, CancellationToken.None));

        var part = Assert.Single(context.Store.ListParts(StoreTestContext.Bucket, Key, id));
        Assert.Equal((first.ETag, 3L), (part.ETag, part.Size));
        Assert.Empty(context.TmpEntries());
    }

    [Fact]
    public async Task ListParts_AfterRestart_ReturnsPartsInOrderAndCompleteStillWorks()
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, new ObjectHeaders { ContentType = "video/mp4" });
        var p10 = await Upload(context, id, 10, new byte[7]);
        var p2 = await Upload(context, id, 2, new byte[MinPart]);

        var store = context.Reopen();

        var parts = store.ListParts(StoreTestContext.Bucket, Key, id);
        Assert.Equal([(2, (long)MinPart, p2.ETag), (10, 7L, p10.ETag)], parts.Select(p => (p.PartNumber, p.Size, p.ETag)));
        var upload = Assert.Single(store.ListMultipartUploads(StoreTestContext.Bucket));
        Assert.Equal("video/mp4", upload.Headers.ContentType);
        var info = await Complete(context, id, new CompletedPart(2, p2.ETag), new CompletedPart(10, p10.ETag));
        Assert.Equal(MinPart + 7, info.Size);
        Assert.Equal("video/mp4", info.Headers.ContentType);
    }

    [Fact]
    public async Task Complete_WithBeforeCommit_SeesWholeBodyMd5()
    {
        using var context = NewContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, Key, ObjectHeaders.Empty);
        var p1 = StoreTestContext.Pattern(MinPart, seed: 5);
        var p2 = StoreTestContext.Pattern(10, seed: 6);
        var e1 = await Upload(context, id, 1, p1);
        var e2 = await Upload(context, id, 2, p2);
        WrittenBody? seen = null;

        await context.Store.CompleteMultipartUploadAsync(StoreTestContext.Bucket, Key, id, [new(1, e1.ETag), new(2, e2.ETag)], new ObjectWriteOptions
        {
            BeforeCommit = body =>
            {
                seen = body;
                return ValueTask.FromResult<IReadOnlyDictionary<string, string>?>(null);
            },
        }, CancellationToken.None);

        Assert.Equal(p1.Length + p2.Length, seen?.Length);
        Assert.Equal(MD5.HashData([.. p1, .. p2]), seen?.Md5);
    }

    private static StoreTestContext NewContext() => new(new FileObjectStoreOptions { Fsync = false, MinPartSize = MinPart });

    private static Task<PartInfo> Upload(StoreTestContext context, string uploadId, int partNumber, byte[] body) =>
        context.Store.UploadPartAsync(StoreTestContext.Bucket, Key, uploadId, partNumber, new MemoryStream(body), new ObjectWriteOptions(), CancellationToken.None);

    private static Task<ObjectInfo> Complete(StoreTestContext context, string uploadId, params CompletedPart[] parts) =>
        context.Store.CompleteMultipartUploadAsync(StoreTestContext.Bucket, Key, uploadId, parts, new ObjectWriteOptions(), CancellationToken.None);
}

using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

public class FileObjectStoreBucketTests
{
    [Fact]
    public void CreateBucket_NewAndExisting_ReturnsTrueThenFalse()
    {
        using var context = new StoreTestContext();

        Assert.True(context.Store.CreateBucket("assets.example.com", "eu-central-1"));
        Assert.False(context.Store.CreateBucket("assets.example.com", "us-east-1"));

        var bucket = context.Store.GetBucket("assets.example.com");
        Assert.Equal("eu-central-1", bucket?.Region);
        Assert.Equal(context.Time.Now, bucket?.Created);
        Assert.Equal(["assets.example.com", "site"], context.Store.ListBuckets().Select(b => b.Name));
    }

    [Fact]
    public void CreateBucket_EmptyRegion_IsUsEast1()
    {
        using var context = new StoreTestContext();

        context.Store.CreateBucket("plain", "");

        Assert.Equal("us-east-1", context.Store.GetBucket("plain")?.Region);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper")]
    [InlineData("-leading")]
    [InlineData("a..b")]
    [InlineData("192.168.1.1")]
    [InlineData("has_underscore")]
    [InlineData("../escape")]
    public void CreateBucket_InvalidName_IsInvalidBucketName(string name)
    {
        using var context = new StoreTestContext();

        var e = StoreTestContext.ThrowsS3("InvalidBucketName", () => context.Store.CreateBucket(name, "us-east-1"));

        Assert.Equal(400, e.Status);
        Assert.Null(context.Store.GetBucket(name));
    }

    [Fact]
    public void DeleteBucket_Empty_RemovesItAndItsDirectory()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = true });

        context.Store.DeleteBucket(StoreTestContext.Bucket);

        Assert.Null(context.Store.GetBucket(StoreTestContext.Bucket));
        Assert.False(Directory.Exists(context.BucketDirectory));
        Assert.Empty(context.Reopen().ListBuckets());
        Assert.True(context.Store.CreateBucket(StoreTestContext.Bucket, "us-east-1"));
    }

    [Fact]
    public async Task DeleteBucket_WithObjects_IsBucketNotEmptyUntilTheyAreDeleted()
    {
        using var context = new StoreTestContext();
        await context.PutAsync("k", "v");

        var e = StoreTestContext.ThrowsS3("BucketNotEmpty", () => context.Store.DeleteBucket(StoreTestContext.Bucket));
        Assert.Equal(409, e.Status);
        Assert.Equal("v", context.ReadText("k"));

        context.Store.DeleteObject(StoreTestContext.Bucket, "k");
        context.Store.DeleteBucket(StoreTestContext.Bucket);
        Assert.Null(context.Store.GetBucket(StoreTestContext.Bucket));
    }

    [Fact]
    public async Task DeleteBucket_WithUploadInProgress_AbortsTheUpload()
    {
        using var context = new StoreTestContext();
        var id = context.Store.CreateMultipartUpload(StoreTestContext.Bucket, "big", ObjectHeaders.Empty);
        await context.Store.UploadPartAsync(StoreTestContext.Bucket, "big", id, 1, new MemoryStream([1]), new ObjectWriteOptions(), CancellationToken.None);

        context.Store.DeleteBucket(StoreTestContext.Bucket);

        Assert.Null(context.Store.GetBucket(StoreTestContext.Bucket));
        Assert.False(Directory.Exists(context.BucketDirectory));
        StoreTestContext.ThrowsS3("NoSuchBucket", () => context.Store.ListMultipartUploads(StoreTestContext.Bucket));
    }

    [Fact]
    public void DeleteBucket_Missing_IsNoSuchBucket()
    {
        using var context = new StoreTestContext();

        StoreTestContext.ThrowsS3("NoSuchBucket", () => context.Store.DeleteBucket("missing"));
    }

    [Fact]
    public void SetWebsiteAndPolicy_ThenRemove_PersistAcrossRestart()
    {
        using var context = new StoreTestContext(new FileObjectStoreOptions { Fsync = true });
        var website = new WebsiteConfiguration { RedirectAllRequestsTo = new RedirectAllRequestsTo("example.com", "https") };
        const string Policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}""";

        context.Store.SetWebsite(StoreTestContext.Bucket, website);
        context.Store.SetPolicy(StoreTestContext.Bucket, Policy);
        var reopened = context.Reopen().GetBucket(StoreTestContext.Bucket);

        Assert.Equal(website.RedirectAllRequestsTo, reopened?.Website?.RedirectAllRequestsTo);
        Assert.Equal(Policy, reopened?.PolicyJson);
        Assert.True(reopened?.IsPublicRead);

        context.Store.SetWebsite(StoreTestContext.Bucket, null);
        context.Store.SetPolicy(StoreTestContext.Bucket, null);
        var cleared = context.Reopen().GetBucket(StoreTestContext.Bucket);

        Assert.Null(cleared?.Website);
        Assert.Null(cleared?.PolicyJson);
        Assert.Empty(context.TmpEntries());
    }

    [Fact]
    public void SetWebsite_MissingBucket_IsNoSuchBucket()
    {
        using var context = new StoreTestContext();

        StoreTestContext.ThrowsS3("NoSuchBucket", () => context.Store.SetWebsite("missing", new WebsiteConfiguration { IndexDocumentSuffix = "index.html" }));
        StoreTestContext.ThrowsS3("NoSuchBucket", () => context.Store.SetPolicy("missing", "{}"));
    }

    [Fact]
    public void Reopen_BucketDirectoryWithoutConfigOrWithBadName_IsSkipped()
    {
        using var context = new StoreTestContext();
        Directory.CreateDirectory(Path.Join(context.DataDirectory, "buckets", "no-config"));
        Directory.CreateDirectory(Path.Join(context.DataDirectory, "buckets", "Bad_Name"));

        var store = context.Reopen();

        Assert.Equal(["site"], store.ListBuckets().Select(b => b.Name));
    }
}

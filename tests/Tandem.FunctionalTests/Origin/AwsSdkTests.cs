using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Amazon.S3.Util;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Origin;

/// <summary>AWSSDK.S3 4.x with its defaults (CRC32 in a signed trailer) and with chunk encoding off.</summary>
public sealed class AwsSdkTests
{
    public static TheoryData<bool, bool> Modes => new() { { true, false }, { false, false }, { true, true }, { false, true } };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task PutObject_EveryBodyForm_WebsiteServesTheBytes(bool useChunkEncoding, bool whenRequired)
    {
        await using var origin = await TestOrigin.StartAsync();
        await origin.CreateWebsiteBucketAsync();
        using var s3 = origin.Client(whenRequired);
        var files = new Dictionary<string, byte[]>
        {
            ["index.html"] = Encoding.UTF8.GetBytes("<h1>sdk</h1>"),
            ["big/blob.bin"] = RandomNumberGenerator.GetBytes(300_000),
            ["odd/&+-é\" name.txt"] = Encoding.UTF8.GetBytes("awkward"),
            ["empty"] = [],
        };
        foreach (var (key, bytes) in files)
        {
            var response = await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = "site",
                Key = key,
                InputStream = new MemoryStream(bytes),
                UseChunkEncoding = useChunkEncoding,
                ContentType = "text/plain",
                Metadata = { ["origin-test"] = "yes" },
            });
            Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(bytes))}\"", response.ETag);
        }

        await origin.AssertWebsiteServesAsync(files);
        var head = await s3.GetObjectMetadataAsync("site", "odd/&+-é\" name.txt");
        Assert.Equal("yes", head.Metadata["origin-test"]);
        Assert.Equal("text/plain", head.Headers.ContentType);

        using var get = await s3.GetObjectAsync("site", "big/blob.bin");
        using var ms = new MemoryStream();
        await get.ResponseStream.CopyToAsync(ms);
        Assert.True(files["big/blob.bin"].AsSpan().SequenceEqual(ms.ToArray()));
    }

    [Fact]
    public async Task TransferUtility_MultipartUpload_AssemblesTheObject()
    {
        await using var origin = await TestOrigin.StartAsync();
        await origin.CreateWebsiteBucketAsync();
        using var s3 = origin.Client();
        var bytes = RandomNumberGenerator.GetBytes(21 * 1024 * 1024);
        using var transfer = new TransferUtility(s3, new TransferUtilityConfig { MinSizeBeforePartUpload = 16 * 1024 * 1024 });
        await transfer.UploadAsync(new TransferUtilityUploadRequest
        {
            BucketName = "site",
            Key = "video/clip.bin",
            InputStream = new MemoryStream(bytes),
            PartSize = 5 * 1024 * 1024,
        });

        var info = origin.Host.Store.GetObjectInfo("site", "video/clip.bin");
        Assert.NotNull(info);
        Assert.Equal(5, info.PartsCount);
        await origin.AssertWebsiteServesAsync(new Dictionary<string, byte[]> { ["video/clip.bin"] = bytes });
    }

    [Fact]
    public async Task BucketOperations_ExistenceListingCopyDelete_BehaveAsS3()
    {
        await using var origin = await TestOrigin.StartAsync();
        using var s3 = origin.Client();
        Assert.False(await AmazonS3Util.DoesS3BucketExistV2Async(s3, "site"));
        await s3.PutBucketAsync("site");
        Assert.True(await AmazonS3Util.DoesS3BucketExistV2Async(s3, "site"));
        var again = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutBucketAsync("site"));
        Assert.Equal("BucketAlreadyOwnedByYou", again.ErrorCode);

        for (var i = 0; i < 25; i++)
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = "site", Key = $"p/{i:D2}.txt", ContentBody = $"n{i}" });
        }

        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "site", Prefix = "p/", MaxKeys = 7, ContinuationToken = token });
            keys.AddRange(page.S3Objects?.Select(o => o.Key) ?? []);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"p/{i:D2}.txt"), keys);

        var copy = await s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = "site",
            SourceKey = "p/01.txt",
            DestinationBucket = "site",
            DestinationKey = "copied/one.txt",
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = "text/x-copied",
        });
        Assert.Equal(HttpStatusCode.OK, copy.HttpStatusCode);
        var copied = await s3.GetObjectMetadataAsync("site", "copied/one.txt");
        Assert.Equal("text/x-copied", copied.Headers.ContentType);

        var deleted = await s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = "site",
            Objects = Enumerable.Range(0, 25).Select(i => new KeyVersion { Key = $"p/{i:D2}.txt" }).ToList(),
        });
        Assert.Equal(25, deleted.DeletedObjects.Count);
        var notEmpty = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.DeleteBucketAsync("site"));
        Assert.Equal("BucketNotEmpty", notEmpty.ErrorCode);
        await s3.DeleteObjectAsync("site", "copied/one.txt");
        await s3.DeleteBucketAsync("site");
        Assert.False(await AmazonS3Util.DoesS3BucketExistV2Async(s3, "site"));
    }

    [Fact]
    public async Task PresignedUrl_GetAndPut_WorkWithoutHeaders()
    {
        await using var origin = await TestOrigin.StartAsync();
        await origin.CreateWebsiteBucketAsync();
        using var s3 = origin.Client();
        var putUrl = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = "site", Key = "shared/file.txt", Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP });
        using var http = new HttpClient();
        var put = await http.PutAsync(putUrl, new ByteArrayContent(Encoding.UTF8.GetBytes("presigned")));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var getUrl = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = "site", Key = "shared/file.txt", Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP });
        Assert.Equal("presigned", await http.GetStringAsync(getUrl));

        var tampered = getUrl.Replace("shared/file.txt", "shared/other.txt", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(tampered)).StatusCode);
    }
}

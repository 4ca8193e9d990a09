using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Origin;

/// <summary>
/// kill -9 of a real `tandem origin` process in the middle of uploads: after a restart on the
/// same data directory the previous version is served whole, completed parts are intact, and
/// nothing half-written is left.
/// </summary>
public sealed class CrashTests
{
    [Fact]
    public async Task PutObject_KilledMidUpload_RestartServesPreviousVersionWhole()
    {
        using var dir = new TempDir("tandem-crash");
        var data = dir.Combine("data");
        var credentials = TestOrigin.NewCredentials();
        var version1 = RandomNumberGenerator.GetBytes(1024 * 1024);
        var version2 = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);

        await using (var first = await OriginProcess.StartAsync(data, credentials))
        {
            await first.CreateWebsiteBucketAsync();
            await first.PutAsync("big.bin", version1);

            // Version 2 is 8 of its 20 MB in when the process dies.
            var request = first.Request("PUT", "/site/big.bin").WithBody(version2).Sign(credentials);
            using var client = await RawHttp.SendPartAsync(first.S3Url, request, 8 * 1024 * 1024);
            await first.WaitForTempFileAsync(4 * 1024 * 1024);
            first.KillHard();
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(data, "tmp"))); // the kill left the half-written file

        await using var second = await OriginProcess.StartAsync(data, credentials);
        await second.AssertNoTempFilesAsync();
        await second.AssertObjectAsync("big.bin", version1);
        var website = await second.WebsiteGetAsync("/big.bin");
        Assert.Equal(RunningOriginExtensions.Md5(version1), RunningOriginExtensions.Md5(website.Body));
        await second.PutAsync("big.bin", version2);
        await second.AssertObjectAsync("big.bin", version2);
        await second.AssertStillServesAsync();
    }

    [Fact]
    public async Task MultipartUpload_KilledDuringSecondPart_RestartListsFirstPartThenCompletesOrAborts()
    {
        using var dir = new TempDir("tandem-crash");
        var data = dir.Combine("data");
        var credentials = TestOrigin.NewCredentials();
        var part1 = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        var part2 = RandomNumberGenerator.GetBytes(5 * 1024 * 1024);
        string kept, dropped, part1ETag;

        await using (var first = await OriginProcess.StartAsync(data, credentials))
        {
            await first.CreateWebsiteBucketAsync();
            using var s3 = first.Client();
            kept = (await s3.InitiateMultipartUploadAsync("site", "video.bin")).UploadId;
            dropped = (await s3.InitiateMultipartUploadAsync("site", "dropped.bin")).UploadId;
            part1ETag = (await s3.UploadPartAsync(new UploadPartRequest { BucketName = "site", Key = "video.bin", UploadId = kept, PartNumber = 1, InputStream = new MemoryStream(part1) })).ETag;
            await s3.UploadPartAsync(new UploadPartRequest { BucketName = "site", Key = "dropped.bin", UploadId = dropped, PartNumber = 1, InputStream = new MemoryStream(part2[..1000]) });

            // Part 2 is half sent when the process dies.
            var request = first.Request("PUT", $"/site/video.bin?partNumber=2&uploadId={kept}").WithBody(part2).Sign(credentials);
            using var client = await RawHttp.SendPartAsync(first.S3Url, request, part2.Length / 2);
            await first.WaitForTempFileAsync(1024 * 1024);
            first.KillHard();
        }

        await using var second = await OriginProcess.StartAsync(data, credentials);
        await second.AssertNoTempFilesAsync();
        using var client2 = second.Client();
        var uploads = (await client2.ListMultipartUploadsAsync("site")).MultipartUploads;
        Assert.Equal(new[] { dropped, kept }.Order(StringComparer.Ordinal), uploads.Select(u => u.UploadId).Order(StringComparer.Ordinal));
        var parts = (await client2.ListPartsAsync("site", "video.bin", kept)).Parts;
        var only = Assert.Single(parts);
        Assert.Equal((1, part1ETag, (long)part1.Length), (only.PartNumber!.Value, only.ETag, only.Size!.Value));

        // Part 2 again, whole this time, and the upload completes to exactly both parts.
        var part2ETag = (await client2.UploadPartAsync(new UploadPartRequest { BucketName = "site", Key = "video.bin", UploadId = kept, PartNumber = 2, InputStream = new MemoryStream(part2) })).ETag;
        var completed = await client2.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = "site",
            Key = "video.bin",
            UploadId = kept,
            PartETags = [new PartETag(1, part1ETag), new PartETag(2, part2ETag)],
        });
        Assert.EndsWith("-2\"", completed.ETag, StringComparison.Ordinal);
        var website = await second.WebsiteGetAsync("/video.bin");
        Assert.Equal(RunningOriginExtensions.Md5([.. part1, .. part2]), RunningOriginExtensions.Md5(website.Body));

        // The other upload survived the crash too, and can be aborted.
        await client2.AbortMultipartUploadAsync("site", "dropped.bin", dropped);
        Assert.Empty((await client2.ListMultipartUploadsAsync("site")).MultipartUploads ?? []);
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => client2.ListPartsAsync("site", "dropped.bin", dropped));
        Assert.Equal("NoSuchUpload", gone.ErrorCode);
        await second.AssertObjectAsync("dropped.bin", null);
        await second.AssertStillServesAsync();
    }
}

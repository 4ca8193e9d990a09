using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Tandem.Core.Configuration;

namespace Tandem.FunctionalTests.Infrastructure;

/// <summary>An origin a test talks to, in process (<see cref="TestOrigin"/>) or as a child process (<see cref="OriginProcess"/>).</summary>
public interface IRunningOrigin
{
    string S3Url { get; }

    string WebsiteUrl { get; }

    S3Credentials Credentials { get; }

    string DataDirectory { get; }
}

/// <summary>What every test does with an origin: reach it with the SDK or raw sockets, and check it is whole and still serving.</summary>
public static class RunningOriginExtensions
{
    public const string Bucket = "site";

    private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(10);

    /// <summary>An SDK client set up as the reference notes advise for non-AWS endpoints.</summary>
    public static AmazonS3Client Client(this IRunningOrigin origin, bool whenRequiredChecksums = false)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = origin.S3Url,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
        };
        if (whenRequiredChecksums)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        return new AmazonS3Client(new BasicAWSCredentials(origin.Credentials.AccessKeyId, origin.Credentials.SecretAccessKey), config);
    }

    /// <summary>Creates a bucket with website hosting and a public-read policy, as setup does.</summary>
    public static async Task CreateWebsiteBucketAsync(this IRunningOrigin origin, string bucket = Bucket)
    {
        using var s3 = origin.Client();
        await SiteSetup.CreateWebsiteBucketAsync(s3, bucket);
    }

    /// <summary>A request to the S3 API, to be signed (or not) and sent with <see cref="SendAsync"/>.</summary>
    public static RawRequest Request(this IRunningOrigin origin, string method, string target) =>
        new(method, target, new Uri(origin.S3Url).Authority);

    public static Task<RawResponse> SendAsync(this IRunningOrigin origin, RawRequest request) => RawHttp.SendAsync(origin.S3Url, request);

    /// <summary>A GET on the website endpoint with the target exactly as given (the default bucket answers).</summary>
    public static Task<RawResponse> WebsiteGetAsync(this IRunningOrigin origin, string target) =>
        RawHttp.SendAsync(origin.WebsiteUrl, new RawRequest("GET", target, new Uri(origin.WebsiteUrl).Authority));

    /// <summary>Stores <paramref name="bytes"/> under <paramref name="key"/> with the SDK.</summary>
    public static async Task<byte[]> PutAsync(this IRunningOrigin origin, string key, byte[] bytes)
    {
        using var s3 = origin.Client();
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(bytes) });
        return bytes;
    }

    /// <summary>
    /// Asserts through the S3 API that <paramref name="key"/> holds exactly <paramref name="expected"/>
    /// with its MD5 as ETag, or (null) that there is no such key.
    /// </summary>
    public static async Task AssertObjectAsync(this IRunningOrigin origin, string key, byte[]? expected)
    {
        using var s3 = origin.Client();
        if (expected is null)
        {
            var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(Bucket, key));
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            return;
        }

        using var response = await s3.GetObjectAsync(Bucket, key);
        using var body = new MemoryStream();
        await response.ResponseStream.CopyToAsync(body);
        Assert.True(expected.AsSpan().SequenceEqual(body.ToArray()), $"{key}: {body.Length} bytes stored differ from the {expected.Length} expected");
        Assert.Equal($"\"{Md5(expected)}\"", response.ETag);
    }

    /// <summary>Asserts that DATA/tmp empties (an aborted write cleans up as its request ends, which may be just after the response).</summary>
    public static async Task AssertNoTempFilesAsync(this IRunningOrigin origin)
    {
        var tmp = Path.Combine(origin.DataDirectory, "tmp");
        var clock = Stopwatch.StartNew();
        string[] left;
        while ((left = Directory.GetFileSystemEntries(tmp)).Length > 0 && clock.Elapsed < PollTimeout)
        {
            await Task.Delay(20);
        }

        Assert.True(left.Length == 0, "DATA/tmp still holds: " + string.Join(", ", left.Select(Path.GetFileName)));
    }

    /// <summary>Waits until a write in progress has put at least <paramref name="length"/> bytes in a DATA/tmp file.</summary>
    public static async Task WaitForTempFileAsync(this IRunningOrigin origin, long length)
    {
        var tmp = new DirectoryInfo(Path.Combine(origin.DataDirectory, "tmp"));
        var clock = Stopwatch.StartNew();
        while (!tmp.EnumerateFiles().Any(f => f.Length >= length))
        {
            Assert.True(clock.Elapsed < PollTimeout, $"no file in DATA/tmp reached {length} bytes");
            await Task.Delay(10);
        }
    }

    /// <summary>Asserts the origin still works for others: an SDK PutObject, then the website endpoint serves those bytes.</summary>
    public static async Task AssertStillServesAsync(this IRunningOrigin origin)
    {
        var key = $"alive/{Guid.NewGuid():N}.txt";
        var bytes = await origin.PutAsync(key, RandomNumberGenerator.GetBytes(1000));
        var get = await origin.WebsiteGetAsync("/" + key);
        Assert.Equal(200, get.Status);
        Assert.True(bytes.AsSpan().SequenceEqual(get.Body), $"the website endpoint served {get.Body.Length} other bytes for {key}");
    }

    public static string Md5(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));
}

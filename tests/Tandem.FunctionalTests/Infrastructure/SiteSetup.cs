using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Tandem.Core.Configuration;

namespace Tandem.FunctionalTests.Infrastructure;

/// <summary>Puts a site on an origin as the reference setup script does: bucket, website hosting, public-read policy, files.</summary>
public static class SiteSetup
{
    public static AmazonS3Client Client(string s3Url, S3Credentials credentials) =>
        new(new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey),
            new AmazonS3Config { ServiceURL = s3Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    public static async Task CreateWebsiteBucketAsync(AmazonS3Client s3, string bucket = "site")
    {
        await s3.PutBucketAsync(bucket);
        await s3.PutBucketWebsiteAsync(new PutBucketWebsiteRequest
        {
            BucketName = bucket,
            WebsiteConfiguration = new WebsiteConfiguration { IndexDocumentSuffix = "index.html", ErrorDocument = "404.html" },
        });
        await s3.PutBucketPolicyAsync(bucket, TestOrigin.PublicReadPolicyJson(bucket));
    }

    /// <summary>Creates the bucket and uploads every file of <paramref name="siteDir"/>.</summary>
    public static async Task DeployAsync(string s3Url, S3Credentials credentials, string siteDir, string bucket = "site")
    {
        using var s3 = Client(s3Url, credentials);
        await CreateWebsiteBucketAsync(s3, bucket);
        foreach (var (key, bytes) in SiteMaker.ReadTree(siteDir))
        {
            await s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new MemoryStream(bytes),
                ContentType = ContentTypes.For(key),
                UseChunkEncoding = false,
            });
        }
    }

    /// <summary>The repository's examples/site folder.</summary>
    public static string ExampleSite
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tandem.slnx")))
            {
                dir = dir.Parent;
            }

            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "examples", "site");
        }
    }
}

/// <summary>Content types by extension, enough for test sites.</summary>
public static class ContentTypes
{
    private static readonly Microsoft.AspNetCore.StaticFiles.FileExtensionContentTypeProvider Provider = new();

    public static string For(string key) => Provider.TryGetContentType(key, out var type) ? type : "application/octet-stream";
}

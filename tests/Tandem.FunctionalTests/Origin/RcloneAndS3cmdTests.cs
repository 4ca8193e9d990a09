using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Origin;

/// <summary>rclone (provider Other: path style, ListObjects v1) and s3cmd against a real origin.</summary>
public sealed class RcloneAndS3cmdTests
{
    private static Dictionary<string, string?> RcloneEnv(TestOrigin origin, string home) => new()
    {
        ["HOME"] = home,
        ["RCLONE_CONFIG"] = Path.Combine(home, "rclone.conf"),
        ["RCLONE_CONFIG_ORIGIN_TYPE"] = "s3",
        ["RCLONE_CONFIG_ORIGIN_PROVIDER"] = "Other",
        ["RCLONE_CONFIG_ORIGIN_ACCESS_KEY_ID"] = origin.Credentials.AccessKeyId,
        ["RCLONE_CONFIG_ORIGIN_SECRET_ACCESS_KEY"] = origin.Credentials.SecretAccessKey,
        ["RCLONE_CONFIG_ORIGIN_ENDPOINT"] = origin.S3Url,
        ["RCLONE_CONFIG_ORIGIN_REGION"] = "us-east-1",
        ["RCLONE_CONFIG_ORIGIN_FORCE_PATH_STYLE"] = "true",
        ["AWS_CA_BUNDLE"] = null,
    };

    [Fact]
    public async Task RcloneSyncAndCheck_SiteRoundTripsAndWebsiteServesIt()
    {
        await using var origin = await TestOrigin.StartAsync();
        using var dir = new TempDir();
        await origin.CreateWebsiteBucketAsync();
        var site = dir.Combine("site");
        SiteMaker.Write(site, seed: 3);
        var env = RcloneEnv(origin, dir.Path);
        File.WriteAllText(env["RCLONE_CONFIG"]!, "");

        (await ExternalTool.RunAsync("rclone", ["sync", site, "origin:site", "--s3-chunk-size", "5M"], env)).EnsureSuccess("rclone sync");
        var check = (await ExternalTool.RunAsync("rclone", ["check", site, "origin:site"], env)).EnsureSuccess("rclone check");
        Assert.Contains("0 differences found", check.StdErr, StringComparison.Ordinal);
        await origin.AssertWebsiteServesAsync(SiteMaker.ReadTree(site));

        // Change one file and delete another: a second sync brings the bucket in line again.
        File.WriteAllText(Path.Combine(site, "index.html"), "<h1>changed</h1>");
        File.Delete(Path.Combine(site, "js", "app.js"));
        (await ExternalTool.RunAsync("rclone", ["sync", site, "origin:site"], env)).EnsureSuccess("rclone sync again");
        (await ExternalTool.RunAsync("rclone", ["check", site, "origin:site"], env)).EnsureSuccess("rclone check again");
        Assert.Null(origin.Host.Store.GetObjectInfo("site", "js/app.js"));
        await origin.AssertWebsiteServesAsync(SiteMaker.ReadTree(site));
    }

    [Fact]
    public async Task S3cmdSync_SiteRoundTripsAndWebsiteServesIt()
    {
        await using var origin = await TestOrigin.StartAsync();
        using var dir = new TempDir();
        await origin.CreateWebsiteBucketAsync();
        var site = dir.Combine("site");
        SiteMaker.Write(site, seed: 4);
        var host = new Uri(origin.S3Url).Authority;
        var cfg = dir.Combine("s3cfg");
        File.WriteAllText(cfg, $"""
            [default]
            access_key = {origin.Credentials.AccessKeyId}
            secret_key = {origin.Credentials.SecretAccessKey}
            host_base = {host}
            host_bucket = {host}
            use_https = False
            signature_v2 = False
            bucket_location = us-east-1
            multipart_chunk_size_mb = 5
            """);

        var env = new Dictionary<string, string?> { ["HOME"] = dir.Path };
        var sync = (await ExternalTool.RunAsync("s3cmd", ["-c", cfg, "sync", "--no-preserve", site + "/", "s3://site/"], env)).EnsureSuccess("s3cmd sync");
        Assert.DoesNotContain("ERROR", sync.StdErr, StringComparison.Ordinal);
        await origin.AssertWebsiteServesAsync(SiteMaker.ReadTree(site));

        var ls = (await ExternalTool.RunAsync("s3cmd", ["-c", cfg, "ls", "-r", "s3://site/"], env)).EnsureSuccess("s3cmd ls");
        Assert.Contains("s3://site/files/café-é.txt", ls.StdOut, StringComparison.Ordinal);

        File.Delete(Path.Combine(site, "css", "site.css"));
        (await ExternalTool.RunAsync("s3cmd", ["-c", cfg, "sync", "--no-preserve", "--delete-removed", site + "/", "s3://site/"], env)).EnsureSuccess("s3cmd sync --delete-removed");
        Assert.Null(origin.Host.Store.GetObjectInfo("site", "css/site.css"));
    }
}

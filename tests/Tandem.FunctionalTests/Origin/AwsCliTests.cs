using System.Security.Cryptography;
using System.Text.Json;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Origin;

/// <summary>Debian's AWS CLI v2 against a real origin: sync, multipart cp and website settings.</summary>
public sealed class AwsCliTests
{
    [Fact]
    public async Task Sync_WithDelete_WebsiteServesEveryFileAndResyncTransfersNothing()
    {
        await using var origin = await TestOrigin.StartAsync();
        using var dir = new TempDir();
        var site = dir.Combine("site");
        SiteMaker.Write(site);
        await origin.AwsAsync(dir.Path, "s3", "mb", "s3://site").ContinueWith(t => t.Result.EnsureSuccess("aws s3 mb"));
        await origin.AwsAsync(dir.Path, "s3api", "put-bucket-website", "--bucket", "site", "--website-configuration",
            """{"IndexDocument":{"Suffix":"index.html"},"ErrorDocument":{"Key":"404.html"}}""").ContinueWith(t => t.Result.EnsureSuccess("put-bucket-website"));
        await origin.AwsAsync(dir.Path, "s3api", "put-bucket-policy", "--bucket", "site", "--policy", TestOrigin.PublicReadPolicyJson("site"))
            .ContinueWith(t => t.Result.EnsureSuccess("put-bucket-policy"));

        // A stray object that --delete must remove.
        File.WriteAllText(dir.Combine("stray.txt"), "stray");
        (await origin.AwsAsync(dir.Path, "s3", "cp", dir.Combine("stray.txt"), "s3://site/stray.txt")).EnsureSuccess("aws s3 cp");

        var first = (await origin.AwsAsync(dir.Path, "s3", "sync", site, "s3://site", "--delete", "--no-progress")).EnsureSuccess("aws s3 sync");
        Assert.Contains("delete: s3://site/stray.txt", first.StdOut, StringComparison.Ordinal);

        var tree = SiteMaker.ReadTree(site);
        await origin.AssertWebsiteServesAsync(tree);
        Assert.Null(origin.Host.Store.GetObjectInfo("site", "stray.txt"));

        var second = (await origin.AwsAsync(dir.Path, "s3", "sync", site, "s3://site", "--delete", "--no-progress")).EnsureSuccess("second aws s3 sync");
        Assert.True(second.StdOut.Trim().Length == 0, "an unchanged folder must transfer nothing, but the CLI printed:\n" + second.StdOut);

        // The listing the CLI sees matches the tree, key for key, with MD5 ETags.
        var list = (await origin.AwsAsync(dir.Path, "s3api", "list-objects-v2", "--bucket", "site", "--output", "json")).EnsureSuccess("list-objects-v2");
        using var doc = JsonDocument.Parse(list.StdOut);
        var listed = doc.RootElement.GetProperty("Contents").EnumerateArray()
            .ToDictionary(e => e.GetProperty("Key").GetString()!, e => e.GetProperty("ETag").GetString()!.Trim('"'));
        Assert.Equal(tree.Keys, listed.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, bytes) in tree)
        {
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(bytes)), listed[key]);
        }
    }

    [Fact]
    public async Task Cp_50MegabyteFile_UsesMultipartAndRoundTrips()
    {
        await using var origin = await TestOrigin.StartAsync();
        using var dir = new TempDir();
        await origin.CreateWebsiteBucketAsync();
        var big = new byte[50 * 1024 * 1024];
        new Random(7).NextBytes(big);
        File.WriteAllBytes(dir.Combine("big.bin"), big);

        (await origin.AwsAsync(dir.Path, "s3", "cp", dir.Combine("big.bin"), "s3://site/media/big.bin", "--no-progress")).EnsureSuccess("aws s3 cp");

        var info = origin.Host.Store.GetObjectInfo("site", "media/big.bin");
        Assert.NotNull(info);
        Assert.True(info.PartsCount > 1, "the CLI splits a 50 MB file into parts (8 MB threshold)");
        Assert.EndsWith($"-{info.PartsCount}", info.ETag, StringComparison.Ordinal);

        (await origin.AwsAsync(dir.Path, "s3", "cp", "s3://site/media/big.bin", dir.Combine("back.bin"), "--no-progress")).EnsureSuccess("aws s3 cp down");
        Assert.True(big.AsSpan().SequenceEqual(File.ReadAllBytes(dir.Combine("back.bin"))));
        await origin.AssertWebsiteServesAsync(new Dictionary<string, byte[]> { ["media/big.bin"] = big });
    }

    [Fact]
    public async Task BucketWebsite_PutGetDelete_WebsiteEndpointFollows()
    {
        await using var origin = await TestOrigin.StartAsync();
        using var dir = new TempDir();
        await origin.CreateWebsiteBucketAsync();
        File.WriteAllText(dir.Combine("index.html"), "<h1>home</h1>");
        (await origin.AwsAsync(dir.Path, "s3", "cp", dir.Combine("index.html"), "s3://site/index.html")).EnsureSuccess("cp");
        (await origin.AwsAsync(dir.Path, "s3api", "put-bucket-website", "--bucket", "site", "--website-configuration",
            """{"IndexDocument":{"Suffix":"index.html"},"ErrorDocument":{"Key":"404.html"},"RoutingRules":[{"Condition":{"KeyPrefixEquals":"old/"},"Redirect":{"ReplaceKeyPrefixWith":"new/"}}]}"""))
            .EnsureSuccess("put-bucket-website");

        var got = (await origin.AwsAsync(dir.Path, "s3api", "get-bucket-website", "--bucket", "site", "--output", "json")).EnsureSuccess("get-bucket-website");
        using (var doc = JsonDocument.Parse(got.StdOut))
        {
            Assert.Equal("index.html", doc.RootElement.GetProperty("IndexDocument").GetProperty("Suffix").GetString());
            Assert.Equal("404.html", doc.RootElement.GetProperty("ErrorDocument").GetProperty("Key").GetString());
            Assert.Equal("new/", doc.RootElement.GetProperty("RoutingRules")[0].GetProperty("Redirect").GetProperty("ReplaceKeyPrefixWith").GetString());
        }

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(origin.WebsiteUrl + "/")).StatusCode);
        var redirect = await http.GetAsync(origin.WebsiteUrl + "/old/page.html");
        Assert.Equal(System.Net.HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.EndsWith("/new/page.html", redirect.Headers.Location!.ToString(), StringComparison.Ordinal);

        (await origin.AwsAsync(dir.Path, "s3api", "delete-bucket-website", "--bucket", "site")).EnsureSuccess("delete-bucket-website");
        var off = await http.GetAsync(origin.WebsiteUrl + "/");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, off.StatusCode);
        Assert.Contains("NoSuchWebsiteConfiguration", await off.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var missing = await origin.AwsAsync(dir.Path, "s3api", "get-bucket-website", "--bucket", "site");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("NoSuchWebsiteConfiguration", missing.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BucketPolicy_RemovedThenPut_WebsiteAnswers403ThenServes()
    {
        await using var origin = await TestOrigin.StartAsync();
        using var dir = new TempDir();
        await origin.CreateWebsiteBucketAsync();
        File.WriteAllText(dir.Combine("index.html"), "<h1>home</h1>");
        (await origin.AwsAsync(dir.Path, "s3", "cp", dir.Combine("index.html"), "s3://site/index.html")).EnsureSuccess("cp");
        (await origin.AwsAsync(dir.Path, "s3api", "delete-bucket-policy", "--bucket", "site")).EnsureSuccess("delete-bucket-policy");

        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await http.GetAsync(origin.WebsiteUrl + "/")).StatusCode);

        (await origin.AwsAsync(dir.Path, "s3api", "put-bucket-policy", "--bucket", "site", "--policy", TestOrigin.PublicReadPolicyJson("site"))).EnsureSuccess("put-bucket-policy");
        var policy = (await origin.AwsAsync(dir.Path, "s3api", "get-bucket-policy", "--bucket", "site", "--output", "text")).EnsureSuccess("get-bucket-policy");
        Assert.Contains("s3:GetObject", policy.StdOut, StringComparison.Ordinal);
        Assert.Equal("<h1>home</h1>", await http.GetStringAsync(origin.WebsiteUrl + "/"));
    }
}

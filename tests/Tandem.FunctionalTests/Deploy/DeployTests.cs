using System.Net;
using System.Text.Json;
using Tandem.Core.Releases;
using Tandem.Deploy;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Deploy;

/// <summary>setup, deploy, rollback and verify against two real origins, one of them under a key prefix.</summary>
public sealed class DeployTests
{
    private static void WriteSite(DeployRig rig, string version)
    {
        rig.Put("index.html", $"<h1>home {version}</h1>");
        rig.Put("404.html", "<h1>not found</h1>");
        rig.Put("about/index.html", $"<h1>about {version}</h1>");
        rig.Put("css/site.css", "body { color: #222; }");
        rig.Put("files/with space.txt", "space");
    }

    [Fact]
    public async Task Setup_RunTwice_SecondRunChangesNothingAndSaysSo()
    {
        await using var rig = await DeployRig.StartAsync();
        WriteSite(rig, "v1");

        var first = await rig.SetupAsync();
        var second = await rig.SetupAsync();

        Assert.True(first.Exit == 0, first.Output);
        Assert.Contains("primary: created bucket site", first.Output, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "<h1>about v1</h1>"), await rig.BrowsePrimaryAsync("/about/"));
        Assert.Equal((HttpStatusCode.OK, "<h1>home v1</h1>"), await rig.BrowseStandbyAsync("/"));
        Assert.True(second.Exit == 0, second.Output);
        Assert.Contains("primary: bucket site, website hosting and public-read policy already set; nothing changed", second.Output, StringComparison.Ordinal);
        Assert.Contains("standby: bucket site, website hosting and public-read policy already set; nothing changed", second.Output, StringComparison.Ordinal);
        Assert.Contains("already live on 2 origin(s); nothing to upload", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_SameSizeEdit_ShipsOneFileAndBothWebsiteEndpointsServeTheNewBytes()
    {
        await using var rig = await DeployRig.StartAsync();
        rig.WriteConfig(extraDeploy: """, "headers": [ { "pathPattern": "*.css", "cacheControl": "max-age=60", "metadata": { "Content-Language": "en" } } ]""");
        WriteSite(rig, "v1");
        Assert.Equal(0, (await rig.SetupAsync()).Exit);

        WriteSite(rig, "v2");
        var (result, output) = await rig.DeployAsync();

        Assert.True(result.ExitCode == 0 && result.Live, output);
        foreach (var o in result.Origins)
        {
            // index.html and about/index.html changed (same size); the rest are server-side copies.
            Assert.True(o is { Uploaded: 2, Copied: 3, Unchanged: 0 }, output);
        }

        Assert.Equal((HttpStatusCode.OK, "<h1>home v2</h1>"), await rig.BrowsePrimaryAsync("/"));
        Assert.Equal((HttpStatusCode.OK, "<h1>about v2</h1>"), await rig.BrowseStandbyAsync("/about/"));
        Assert.Equal((HttpStatusCode.OK, "space"), await rig.BrowseStandbyAsync("/files/with space.txt"));
        Assert.Contains("check: standby holds all 5 file(s)", output, StringComparison.Ordinal);

        // The copied file keeps the headers its rule gives it.
        using var http = new HttpClient();
        using var css = await http.GetAsync(rig.Standby.WebsiteUrl + "/" + DeployRig.StandbyPrefix + "css/site.css");
        Assert.Equal("text/css; charset=utf-8", css.Content.Headers.ContentType?.ToString());
        Assert.Equal("max-age=60", css.Headers.CacheControl?.ToString());
        Assert.Equal("en", Assert.Single(css.Content.Headers.ContentLanguage));
    }

    [Fact]
    public async Task Deploy_DryRun_PrintsThePlanAndWritesNothing()
    {
        await using var rig = await DeployRig.StartAsync();
        WriteSite(rig, "v1");
        Assert.Equal(0, (await rig.SetupAsync()).Exit);
        var before = await DeployRig.KeysAsync(rig.Primary);

        WriteSite(rig, "v2");
        rig.Put("new.txt", "new");
        var (result, output) = await rig.DeployAsync(new DeployOptions { DryRun = true });

        Assert.True(result.ExitCode == 0 && !result.Live, output);
        Assert.Contains("primary: would upload 3", output, StringComparison.Ordinal);
        Assert.Contains("upload new.txt", output, StringComparison.Ordinal);
        Assert.Equal(before, await DeployRig.KeysAsync(rig.Primary));
        Assert.Equal((HttpStatusCode.OK, "<h1>home v1</h1>"), await rig.BrowsePrimaryAsync("/"));
    }

    [Fact]
    public async Task Deploy_EmptyOrMissingFolder_RefusedWithOneLine()
    {
        await using var rig = await DeployRig.StartAsync();

        var empty = await Assert.ThrowsAsync<DeployException>(() => rig.DeployAsync());
        var missing = await Assert.ThrowsAsync<DeployException>(() => rig.DeployAsync(new DeployOptions { Folder = rig.Dir.Combine("nope") }));
        var unknown = await Assert.ThrowsAsync<DeployException>(() => rig.DeployAsync(new DeployOptions { Origins = ["tertiary"] }));

        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("--allow-empty", empty.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Contains("unknown origin 'tertiary'; the config has: primary, standby", unknown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', empty.Message + missing.Message + unknown.Message);
    }

    [Fact]
    public async Task Deploy_WrongCredentialsOnOneOrigin_OneLineNamingItAndNothingWritten()
    {
        await using var rig = await DeployRig.StartAsync();
        WriteSite(rig, "v1");
        Assert.Equal(0, (await rig.SetupAsync()).Exit);
        var before = await DeployRig.KeysAsync(rig.Primary);
        WriteSite(rig, "v2");
        rig.WriteConfig(standbySecret: "wrong-secret-wrong-secret");

        var (result, output) = await rig.DeployAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("standby: credentials not accepted", output, StringComparison.Ordinal);
        Assert.Contains("nothing written", output, StringComparison.Ordinal);
        Assert.Equal(before, await DeployRig.KeysAsync(rig.Primary));
    }

    [Fact]
    public async Task Setup_WrongCredentialsOnOneOrigin_NoBucketCreatedAnywhere()
    {
        await using var rig = await DeployRig.StartAsync();
        WriteSite(rig, "v1");
        rig.WriteConfig(standbySecret: "wrong-secret-wrong-secret");

        var (exit, output) = await rig.SetupAsync();

        Assert.Equal(1, exit);
        Assert.Contains("standby: credentials not accepted", output, StringComparison.Ordinal);
        Assert.Contains("setup stopped before writing anything", output, StringComparison.Ordinal);
        Assert.DoesNotContain("primary:", output, StringComparison.Ordinal);
        using var s3 = rig.Primary.Client();
        Assert.Empty((await s3.ListBucketsAsync()).Buckets ?? []);
    }

    [Fact]
    public async Task Rollback_MakesThePreviousReleaseLiveOnBothWebsiteEndpoints()
    {
        await using var rig = await DeployRig.StartAsync();
        WriteSite(rig, "v1");
        Assert.Equal(0, (await rig.SetupAsync()).Exit);
        WriteSite(rig, "v2");
        var (v2, _) = await rig.DeployAsync();
        Assert.Equal((HttpStatusCode.OK, "<h1>home v2</h1>"), await rig.BrowseStandbyAsync("/"));

        var rollback = await rig.RollbackAsync();
        var releases = await rig.ReleasesAsync();

        Assert.True(rollback.Exit == 0, rollback.Output);
        Assert.Equal((HttpStatusCode.OK, "<h1>home v1</h1>"), await rig.BrowsePrimaryAsync("/"));
        Assert.Equal((HttpStatusCode.OK, "<h1>about v1</h1>"), await rig.BrowseStandbyAsync("/about/"));
        Assert.Contains(v2.ReleaseId!, releases.Output, StringComparison.Ordinal);
        Assert.Contains("primary, standby", releases.Output, StringComparison.Ordinal);

        // Deploying v2 again needs no upload: its release is still kept, it only becomes live.
        var (again, output) = await rig.DeployAsync();
        Assert.True(again.ExitCode == 0 && again.ReleaseId == v2.ReleaseId, output);
        Assert.All(again.Origins, o => Assert.Equal(0, o.Uploaded + o.Copied));
        Assert.Equal((HttpStatusCode.OK, "<h1>home v2</h1>"), await rig.BrowsePrimaryAsync("/"));
    }

    [Fact]
    public async Task Verify_DeletedAndModifiedObjects_ReportedThenRepaired()
    {
        await using var rig = await DeployRig.StartAsync();
        WriteSite(rig, "v1");
        Assert.Equal(0, (await rig.SetupAsync()).Exit);
        var (result, _) = await rig.DeployAsync();
        var id = result.ReleaseId!;
        using var home = new TempDir("tandem-aws");
        var env = ((TestOrigin)rig.Standby).AwsEnvironment(home.Path);
        env["AWS_CA_BUNDLE"] = null;
        var release = DeployRig.StandbyPrefix + "releases/" + id + "/";
        await ExternalTool.RunAsync("aws", ["--endpoint-url", rig.Standby.S3Url, "s3", "rm", $"s3://site/{release}css/site.css"], env).ContinueWith(t => t.Result.EnsureSuccess("aws s3 rm"));
        File.WriteAllText(home.Combine("bad.html"), "tampered");
        await ExternalTool.RunAsync("aws", ["--endpoint-url", rig.Standby.S3Url, "s3", "cp", home.Combine("bad.html"), $"s3://site/{release}index.html"], env).ContinueWith(t => t.Result.EnsureSuccess("aws s3 cp"));

        var drift = await rig.VerifyAsync();
        var repair = await rig.VerifyAsync(repair: true);
        var clean = await rig.VerifyAsync();

        Assert.Equal(1, drift.Exit);
        Assert.Contains("standby: missing   css/site.css", drift.Output, StringComparison.Ordinal);
        Assert.Contains("standby: different index.html", drift.Output, StringComparison.Ordinal);
        Assert.Contains("primary: release " + id + " matches the folder", drift.Output, StringComparison.Ordinal);
        Assert.True(repair.Exit == 0, repair.Output);
        Assert.True(clean.Exit == 0, clean.Output);
        Assert.Equal((HttpStatusCode.OK, "<h1>home v1</h1>"), await rig.BrowseStandbyAsync("/"));
    }

    [Fact]
    public async Task AwsCli_ListObjects_ShowsTheKeysAndETagsDeployReports()
    {
        await using var rig = await DeployRig.StartAsync();
        WriteSite(rig, "v1");
        rig.Put("big/blob.bin", new byte[300_000]);
        Assert.Equal(0, (await rig.SetupAsync()).Exit);
        var (result, _) = await rig.DeployAsync();
        using var home = new TempDir("tandem-aws");
        var env = ((TestOrigin)rig.Primary).AwsEnvironment(home.Path);
        env["AWS_CA_BUNDLE"] = null;

        var listed = (await ExternalTool.RunAsync("aws", ["--endpoint-url", rig.Primary.S3Url, "s3api", "list-objects-v2", "--bucket", "site", "--prefix", $"releases/{result.ReleaseId}/"], env)).EnsureSuccess("aws s3api list-objects-v2");
        var manifestJson = (await ExternalTool.RunAsync("aws", ["--endpoint-url", rig.Primary.S3Url, "s3", "cp", $"s3://site/_tandem/releases/{result.ReleaseId}.json", "-"], env)).EnsureSuccess("aws s3 cp").StdOut;

        var manifest = ReleaseManifest.Parse(System.Text.Encoding.UTF8.GetBytes(manifestJson));
        using var doc = JsonDocument.Parse(listed.StdOut);
        var fromCli = doc.RootElement.GetProperty("Contents").EnumerateArray()
            .ToDictionary(e => e.GetProperty("Key").GetString()!, e => e.GetProperty("ETag").GetString()!);
        var expected = manifest.Files.ToDictionary(f => $"releases/{result.ReleaseId}/{f.Path}", f => f.ETag);
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), fromCli.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.Equal(6, expected.Count);
    }
}

/// <summary>Files past the multipart threshold.</summary>
public sealed class DeployMultipartTests
{
    [Fact]
    public async Task Deploy_LargeFile_UploadedInPartsWithTheMultipartETagAndVerified()
    {
        await using var rig = await DeployRig.StartAsync();
        rig.Put("index.html", "home");
        var big = new byte[Tandem.Deploy.Scanning.FileHasher.MultipartThreshold + 1000];
        new Random(3).NextBytes(big);
        rig.Put("video/big.bin", big);

        var (exit, output) = await rig.SetupAsync();
        var verify = await rig.VerifyAsync();

        Assert.True(exit == 0, output);
        Assert.Contains("check: primary holds all 2 file(s)", output, StringComparison.Ordinal);
        Assert.True(verify.Exit == 0, verify.Output);
        using var http = new HttpClient();
        var served = await http.GetByteArrayAsync(rig.Primary.WebsiteUrl + "/video/big.bin");
        Assert.True(big.AsSpan().SequenceEqual(served));
    }
}

/// <summary>Switching releases while visitors read the origins' website endpoints.</summary>
public sealed class RollbackUnderLoadTests
{
    [Fact]
    public async Task Rollback_UnderLoad_EveryResponseWholeAndFromOneRelease()
    {
        await using var rig = await DeployRig.StartAsync();
        void Site(string v)
        {
            rig.Put("index.html", $"<h1>home {v}</h1>");
            rig.Put("404.html", "nf");
            rig.Put("about/index.html", $"<h1>about {v}</h1>");
        }

        Site("v1");
        Assert.Equal(0, (await rig.SetupAsync()).Exit);
        Site("v2");
        Assert.Equal(0, (await rig.DeployAsync()).Result.ExitCode);

        using var stop = new CancellationTokenSource();
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var readers = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            var (origin, prefix) = i % 2 == 0 ? (rig.Primary, "") : (rig.Standby, DeployRig.StandbyPrefix);
            while (!stop.IsCancellationRequested)
            {
                var (status, body) = await DeployRig.BrowseAsync(origin, prefix, i < 2 ? "/" : "/about/");
                if (status != HttpStatusCode.OK || body is not ("<h1>home v1</h1>" or "<h1>home v2</h1>" or "<h1>about v1</h1>" or "<h1>about v2</h1>"))
                {
                    errors.Add($"{(int)status} {body}");
                }

                seen.AddOrUpdate(body, 1, (_, n) => n + 1);
            }
        })).ToList();

        await Task.Delay(200);
        var rollback = await rig.RollbackAsync();
        await Task.Delay(200);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.True(rollback.Exit == 0, rollback.Output);
        Assert.Empty(errors);
        Assert.Contains("<h1>home v1</h1>", seen.Keys);
        Assert.Contains("<h1>home v2</h1>", seen.Keys);
        Assert.Equal((HttpStatusCode.OK, "<h1>home v1</h1>"), await rig.BrowsePrimaryAsync("/"));
    }
}

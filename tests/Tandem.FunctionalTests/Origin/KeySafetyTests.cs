using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Origin;

/// <summary>
/// No key, however encoded, reaches outside the data directory: dot segments, encoded slashes
/// and backslashes, absolute paths, NUL and deep paths are refused with S3's 400 or kept as
/// opaque keys, and neither endpoint reads a file outside the bucket.
/// </summary>
public sealed partial class KeySafetyTests
{
    private static readonly string DeepKey = string.Concat(Enumerable.Repeat("d/", 300)) + "f";

    /// <summary>
    /// Raw target, status, and the S3 error code (400) or the key it is stored under (200). An
    /// empty code is Kestrel's own 400 without a body: it refuses a NUL in the path before any
    /// handler runs, and closes the connection.
    /// </summary>
    public static TheoryData<string, int, string> PutTargets => new()
    {
        { "/site/..", 400, "InvalidArgument" },
        { "/site/.", 400, "InvalidArgument" },
        { "/site/../escape", 400, "InvalidArgument" },
        { "/site/a/../b", 400, "InvalidArgument" },
        { "/site/%2e%2e/x", 400, "InvalidArgument" },
        { "/site/%2E%2E%2Fescape", 400, "InvalidArgument" },
        { "/site/a%2F..%2Fb", 400, "InvalidArgument" },
        { "/site/..%2F..%2F..%2F..%2F..%2Fescape", 400, "InvalidArgument" },
        { "/site/" + string.Concat(Enumerable.Repeat("../", 300)) + "escape", 400, "InvalidArgument" },
        { "/site/%00", 400, "" },
        { "/site/a%00.txt", 400, "" },
        { "/site/%C0%AE%C0%AE/escape", 400, "InvalidURI" }, // overlong UTF-8 for "..": not valid UTF-8
        { "//etc/passwd", 400, "InvalidBucketName" },
        { "/../../escape", 400, "InvalidBucketName" },
        { "/%2e%2e/escape", 400, "InvalidBucketName" },
        { "/site//etc/passwd", 200, "/etc/passwd" },
        { "/site/%2Fetc%2Fpasswd", 200, "/etc/passwd" },
        { "/site/a%5C..%5Cb", 200, "a\\..\\b" },
        { "/site/a\\..\\b", 200, "a\\..\\b" },
        { "/site/..%5C..%5Cescape", 200, "..\\..\\escape" },
        { "/site/C:%5CWindows%5Cwin.ini", 200, "C:\\Windows\\win.ini" },
        { "/site/...", 200, "..." },
        { "/site/" + DeepKey, 200, DeepKey },
    };

    [Theory]
    [MemberData(nameof(PutTargets))]
    public async Task PutObject_PathLikeKey_RefusedOrStoredOpaquely(string target, int status, string codeOrKey)
    {
        await using var origin = await TestOrigin.StartAsync();
        await origin.CreateWebsiteBucketAsync();
        var body = RandomNumberGenerator.GetBytes(100);

        var put = await origin.SendAsync(origin.Request("PUT", target).WithBody(body).Sign(origin.Credentials));

        if (status == 200)
        {
            Assert.True(put.Status == 200, $"PUT {target}: {put.Status}\n{put.Text}");
            Assert.NotNull(origin.Host.Store.GetObjectInfo("site", codeOrKey));
            var get = await origin.SendAsync(origin.Request("GET", target).Sign(origin.Credentials));
            Assert.Equal(body, get.Body);
            var website = await origin.WebsiteGetAsync(target["/site".Length..]);
            Assert.Equal(200, website.Status);
            Assert.Equal(body, website.Body);
        }
        else
        {
            if (codeOrKey.Length == 0)
            {
                Assert.Equal(400, put.Status);
                Assert.Empty(put.Body);
            }
            else
            {
                put.AssertError(status, codeOrKey);
            }

            Assert.Empty(origin.Host.Store.List("site", new Tandem.Origin.Storage.ListRequest()).Objects);
        }

        await AssertOnlyStoreFilesAsync(origin);
        await origin.AssertStillServesAsync();
    }

    [Theory]
    [InlineData("site", "/../escape", "InvalidArgument")]
    [InlineData("site", "/a/%2e%2e/%2e%2e/escape", "InvalidArgument")]
    [InlineData("..", "/escape", "InvalidBucketName")]
    [InlineData("site/..", "/escape", "")]
    public async Task PutObject_VirtualHostedTraversal_Refused(string bucket, string target, string code)
    {
        await using var origin = await TestOrigin.StartAsync();
        await origin.CreateWebsiteBucketAsync();

        // Virtual-hosted style: the bucket is in the Host header and the whole path is the key.
        var host = $"{bucket}.localhost:{new Uri(origin.S3Url).Port}";
        var put = await origin.SendAsync(new RawRequest("PUT", target, host).WithBody("escaped"u8.ToArray()).Sign(origin.Credentials));

        if (code.Length == 0)
        {
            Assert.Equal(400, put.Status); // Kestrel refuses a Host header with a '/' itself
        }
        else
        {
            put.AssertError(400, code);
        }

        Assert.Empty(origin.Host.Store.List("site", new Tandem.Origin.Storage.ListRequest()).Objects);
        await AssertOnlyStoreFilesAsync(origin);
        await origin.AssertStillServesAsync();
    }

    [Fact]
    public async Task Website_TraversalTargets_NeverServeFilesOutsideTheBucket()
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("index.html", "<h1>home</h1>"u8.ToArray());
        var secret = $"secret {Guid.NewGuid():N}";
        var outside = Path.Combine(Path.GetDirectoryName(origin.DataDirectory)!, "secret.txt");
        await File.WriteAllTextAsync(outside, secret);
        var bucketJson = await File.ReadAllTextAsync(Path.Combine(origin.DataDirectory, "buckets", "site", "bucket.json"));

        foreach (var target in TraversalTargets("etc/passwd", "secret.txt", "bucket.json", "buckets/site/bucket.json", "lock"))
        {
            var website = await origin.WebsiteGetAsync(target);
            var api = await origin.SendAsync(origin.Request("GET", "/site" + target).Sign(origin.Credentials));
            foreach (var (endpoint, response) in new[] { ("website", website), ("S3 API", api) })
            {
                Assert.True(response.Status is 400 or 404, $"{endpoint} GET {target}: {response.Status}");
                Assert.DoesNotContain(secret, response.Text, StringComparison.Ordinal);
                Assert.DoesNotContain("root:", response.Text, StringComparison.Ordinal);
                Assert.DoesNotContain(bucketJson, response.Text, StringComparison.Ordinal);
            }
        }

        await origin.AssertStillServesAsync();
    }

    [Theory]
    [InlineData("/site/../../etc/passwd")]
    [InlineData("/site/..%2F..%2Fbucket.json")]
    [InlineData("/../../etc/passwd")]
    [InlineData("/..%2F..%2F..%2Fsecret.txt")]
    [InlineData("site/%2e%2e/%2e%2e/%2e%2e/lock")]
    [InlineData("/site/..%00/lock")]
    public async Task CopyObject_TraversalSource_NotFoundAndNothingStored(string source)
    {
        await using var origin = await TestOrigin.StartAsync();
        await origin.CreateWebsiteBucketAsync();
        await File.WriteAllTextAsync(Path.Combine(Path.GetDirectoryName(origin.DataDirectory)!, "secret.txt"), "secret");

        var copy = await origin.SendAsync(origin.Request("PUT", "/site/copy.txt").Header("x-amz-copy-source", source).Sign(origin.Credentials));

        Assert.True(copy.Status is 400 or 404, $"copy from {source}: {copy.Status}\n{copy.Text}");
        Assert.Contains(copy.ErrorCode(), new[] { "NoSuchKey", "NoSuchBucket", "InvalidBucketName", "InvalidArgument" });
        await origin.AssertObjectAsync("copy.txt", null);
        await origin.AssertStillServesAsync();
    }

    /// <summary>"../" runs of every depth up to the filesystem root, spelled plainly and percent-encoded, before each name.</summary>
    private static IEnumerable<string> TraversalTargets(params string[] names)
    {
        foreach (var name in names)
        {
            foreach (var dots in new[] { "../", "%2e%2e/", "%2E%2E%2F", "..%2f", "..%5c", "%2e%2e%5c" })
            {
                for (var depth = 1; depth <= 8; depth++)
                {
                    yield return "/" + string.Concat(Enumerable.Repeat(dots, depth)) + name;
                }
            }

            yield return "//" + name;
            yield return "/%2F" + name;
        }
    }

    /// <summary>
    /// Nothing was created beside DATA, and every file inside it is the store's own: the lock,
    /// bucket.json, and object files named by the SHA-256 of their key in their shard folder.
    /// </summary>
    private static async Task AssertOnlyStoreFilesAsync(TestOrigin origin)
    {
        await origin.AssertNoTempFilesAsync();
        var data = origin.DataDirectory;
        Assert.Equal([data], Directory.GetFileSystemEntries(Path.GetDirectoryName(data)!));
        foreach (var file in Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(data, file);
            Assert.True(StoreFile().IsMatch(relative), $"DATA holds a file the store does not make: {relative}");
        }

        var objects = Directory.GetFiles(Path.Combine(data, "buckets", "site", "objects"), "*", SearchOption.AllDirectories);
        Assert.Equal(origin.Host.Store.List("site", new Tandem.Origin.Storage.ListRequest()).Objects.Count, objects.Length);
    }

    [GeneratedRegex(@"^(lock|buckets/site/bucket\.json|buckets/site/objects/(?<shard>[0-9a-f]{2})/\k<shard>[0-9a-f]{62})$")]
    private static partial Regex StoreFile();
}

using Tandem.Core.Configuration;
using Tandem.Deploy;
using Tandem.Deploy.Scanning;

namespace Tandem.Tests.Deploy;

public sealed class SiteScannerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tandem-scan-" + Guid.NewGuid().ToString("N"));

    public SiteScannerTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Put(string rel, string text)
    {
        var full = Path.Combine(_root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    [Fact]
    public async Task Scan_DefaultExcludes_SkipsGitAndDsStoreAndUsesSlashPaths()
    {
        Put("index.html", "home");
        Put("css/site.css", "css");
        Put(".git/config", "x");
        Put(".DS_Store", "x");
        Put("css/.DS_Store", "x");

        var scan = await new SiteScanner(new DeployConfig()).ScanAsync(_root, HashCache.Empty(), CancellationToken.None);

        Assert.Equal(["css/site.css", "index.html"], scan.Files.Select(f => f.Path));
        Assert.Equal("\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData("home"u8)) + "\"", scan.Files[1].File.ETag);
    }

    [Fact]
    public async Task Scan_HashCache_RereadsOnlyTouchedFiles()
    {
        Put("a.txt", "aaaa");
        Put("b.txt", "bbbb");
        var cache = HashCache.Empty();
        var scanner = new SiteScanner(new DeployConfig());
        var first = await scanner.ScanAsync(_root, cache, CancellationToken.None);
        var cachePath = Path.Combine(_root, "..", Path.GetFileName(_root) + ".hashes.json");
        cache.Save(cachePath);

        Put("b.txt", "BBBB"); // same size, new time
        File.SetLastWriteTimeUtc(Path.Combine(_root, "b.txt"), DateTime.UtcNow.AddMinutes(1));
        var reloaded = HashCache.Load(cachePath);
        var second = await scanner.ScanAsync(_root, reloaded, CancellationToken.None);
        File.Delete(cachePath);

        Assert.Equal(2, first.Hashed);
        Assert.Equal(1, second.Hashed);
        Assert.NotEqual(first.Files[1].File.Md5, second.Files[1].File.Md5);
        Assert.Equal(first.Files[0].File.Md5, second.Files[0].File.Md5);
    }

    [Fact]
    public async Task Scan_LinkOutsideTheFolder_Refused()
    {
        Put("index.html", "home");
        File.CreateSymbolicLink(Path.Combine(_root, "passwd"), "/etc/passwd");

        var ex = await Assert.ThrowsAsync<DeployException>(() => new SiteScanner(new DeployConfig()).ScanAsync(_root, HashCache.Empty(), CancellationToken.None));

        Assert.Contains("outside the site folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeadersFor_FirstMatchingRuleWins_OverridesExtensionType()
    {
        var scanner = new SiteScanner(new DeployConfig
        {
            ContentTypes = new() { [".webmanifest"] = "application/manifest+json" },
            Headers =
            [
                new DeployHeaderRule { PathPattern = "/assets/*", CacheControl = "public, max-age=31536000, immutable" },
                new DeployHeaderRule { PathPattern = "*.html", CacheControl = "no-cache", Metadata = new() { ["Content-Language"] = "en" } },
                new DeployHeaderRule { PathPattern = "*", CacheControl = "max-age=60" },
                new DeployHeaderRule { PathPattern = "feed", ContentType = "application/rss+xml" },
            ],
        });

        Assert.Equal(("text/css; charset=utf-8", "public, max-age=31536000, immutable"), Pick(scanner.HeadersFor("assets/a.css")));
        Assert.Equal(("text/html; charset=utf-8", "no-cache"), Pick(scanner.HeadersFor("blog/index.html")));
        Assert.Equal("en", scanner.HeadersFor("index.html").Metadata["content-language"]);
        Assert.Equal(("application/manifest+json", "max-age=60"), Pick(scanner.HeadersFor("site.webmanifest")));
        Assert.Equal("application/octet-stream", scanner.HeadersFor("feed").ContentType);
    }

    [Theory]
    [InlineData("a.js", "text/javascript; charset=utf-8")]
    [InlineData("A.JSON", "application/json; charset=utf-8")]
    [InlineData("i.svg", "image/svg+xml; charset=utf-8")]
    [InlineData("m.wasm", "application/wasm")]
    [InlineData("f.woff2", "font/woff2")]
    [InlineData("p.webp", "image/webp")]
    [InlineData("README", "application/octet-stream")]
    public void ContentType_BuiltInTable(string path, string expected) => Assert.Equal(expected, ContentTypeTable.For(path));

    [Theory]
    [InlineData(".git/*", "/.git/config", true)]
    [InlineData(".git/*", "/a/.git/config", false)]
    [InlineData("*/.DS_Store", "/a/b/.DS_Store", true)]
    [InlineData("*.map", "/js/app.js.map", true)]
    [InlineData("/drafts/?.md", "/drafts/a.md", true)]
    [InlineData("/drafts/?.md", "/drafts/ab.md", false)]
    public void GlobPattern_Matches(string pattern, string path, bool expected) => Assert.Equal(expected, new GlobPattern(pattern).IsMatch(path));

    [Fact]
    public void FileHasher_LargeFile_HasTheMultipartETag()
    {
        var path = Path.Combine(_root, "big.bin");
        var bytes = new byte[FileHasher.MultipartThreshold + 5];
        new Random(1).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);

        var (md5, etag) = FileHasher.Hash(path, bytes.Length);

        var parts = bytes.Chunk((int)FileHasher.PartSize).Select(p => System.Security.Cryptography.MD5.HashData(p)).SelectMany(h => h).ToArray();
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(bytes)), md5);
        Assert.Equal($"\"{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(parts))}-5\"", etag);
    }

    private static (string, string?) Pick((string ContentType, string? CacheControl, Dictionary<string, string> Metadata) h) => (h.ContentType, h.CacheControl);
}

using System.Net;
using System.Text.RegularExpressions;

namespace Tandem.Tests;

/// <summary>
/// examples/site is what <c>tandem up</c> serves by default and what drills and benchmarks fetch,
/// so every local link in it must resolve as a bucket website would resolve it.
/// </summary>
public partial class ExampleSiteTests
{
    private static readonly string SiteRoot = Path.Combine(FindRepositoryRoot(), "examples", "site");

    [Fact]
    public void LocalLinks_EveryHtmlFile_ResolveToFilesInTheSite()
    {
        var broken = HtmlFiles(SiteRoot).SelectMany(file => BrokenLinks(SiteRoot, file)).ToList();

        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void LocalLinks_EveryHtmlFile_FindsLinksToCheck()
    {
        // Guards the checker itself: a parser that finds nothing would pass every site.
        var links = HtmlFiles(SiteRoot).SelectMany(file => LocalLinks(File.ReadAllText(file))).ToList();

        Assert.True(links.Count > 100, $"only {links.Count} local links found");
        Assert.Contains("/css/site.css", links);
    }

    [Fact]
    public void LocalUrls_Stylesheets_ResolveToFilesInTheSite()
    {
        var broken = new List<string>();
        foreach (var css in Directory.EnumerateFiles(SiteRoot, "*.css", SearchOption.AllDirectories))
        {
            foreach (Match match in CssUrl().Matches(File.ReadAllText(css)))
            {
                var target = match.Groups["url"].Value;
                if (IsLocal(target) && Resolve(SiteRoot, css, target) is null)
                {
                    broken.Add($"{Relative(css)}: {target}");
                }
            }
        }

        Assert.Empty(broken);
    }

    [Fact]
    public void BrokenLinks_PageWithMissingTargets_ReportsEachOne()
    {
        var root = Directory.CreateTempSubdirectory("tandem-site-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "events"));
            File.WriteAllText(Path.Combine(root, "events", "index.html"), "events");
            File.WriteAllText(Path.Combine(root, "style.css"), "");
            var page = Path.Combine(root, "index.html");
            File.WriteAllText(page, """
                <link href="/style.css"><a href="events/">ok</a><a href='/events/?q=1#x'>ok</a>
                <a href="https://example.com/x">external</a><a href="mailto:a@b.example">mail</a><a href="#top">anchor</a>
                <img src="/missing.png"><a href=results/>no index</a><a href="/../outside.html">escapes</a>
                """);

            var broken = BrokenLinks(root, page).ToList();

            Assert.Equal(3, broken.Count);
            Assert.Contains(broken, b => b.EndsWith("/missing.png", StringComparison.Ordinal));
            Assert.Contains(broken, b => b.EndsWith("results/", StringComparison.Ordinal));
            Assert.Contains(broken, b => b.EndsWith("/../outside.html", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Size_WholeSite_Between100KbAnd1Mb()
    {
        var total = Directory.EnumerateFiles(SiteRoot, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        Assert.InRange(total, 100 * 1024, 1024 * 1024);
    }

    [Fact]
    public void ErrorDocument_LocalLinks_RootRelative()
    {
        // 404.html is served for missing keys at any depth, so a relative link in it would
        // resolve against the missing page's folder.
        var relative = LocalLinks(File.ReadAllText(Path.Combine(SiteRoot, "404.html"))).Where(l => !l.StartsWith('/')).ToList();

        Assert.Empty(relative);
    }

    [Fact]
    public void Pages_EveryHtmlFile_LoadsSiteStylesheetAndCalendarScript()
    {
        var missing = HtmlFiles(SiteRoot)
            .Where(f => LocalLinks(File.ReadAllText(f)) is var links && (!links.Contains("/css/site.css") || !links.Contains("/js/calendar.js")))
            .Select(Relative)
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Folders_EveryFolderWithPages_HasIndexDocument()
    {
        var withoutIndex = HtmlFiles(SiteRoot)
            .Select(f => Path.GetDirectoryName(f)!)
            .Distinct()
            .Where(dir => !File.Exists(Path.Combine(dir, "index.html")))
            .Select(Relative)
            .ToList();

        Assert.Empty(withoutIndex);
    }

    [Theory]
    [InlineData("index.html")]
    [InlineData("404.html")]
    [InlineData("css/site.css")]
    [InlineData("js/calendar.js")]
    [InlineData("robots.txt")]
    [InlineData("favicon.ico")]
    [InlineData("events/2026/spring-nationals/index.html")]
    [InlineData("about/contact/index.html")]
    public void Site_CoreFile_Exists(string path)
    {
        Assert.True(File.Exists(Path.Combine(SiteRoot, path)), path);
    }

    [Theory]
    [InlineData("img/hero.png")]
    [InlineData("img/points-2026.png")]
    public void Images_Png_ValidSignatureAndSize(string path)
    {
        var bytes = File.ReadAllBytes(Path.Combine(SiteRoot, path));

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.True(bytes.Length > 1000);
    }

    private static IEnumerable<string> HtmlFiles(string root) =>
        Directory.EnumerateFiles(root, "*.html", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    private static IEnumerable<string> BrokenLinks(string root, string file)
    {
        foreach (var link in LocalLinks(File.ReadAllText(file)))
        {
            if (Resolve(root, file, link) is null)
            {
                yield return $"{Path.GetRelativePath(root, file)}: {link}";
            }
        }
    }

    // The href and src values of a page that point into the site (no scheme, not "//host").
    private static List<string> LocalLinks(string html)
    {
        var links = new List<string>();
        foreach (Match match in LinkAttribute().Matches(html))
        {
            var value = WebUtility.HtmlDecode(match.Groups["dq"].Success ? match.Groups["dq"].Value
                : match.Groups["sq"].Success ? match.Groups["sq"].Value : match.Groups["bare"].Value);
            if (IsLocal(value))
            {
                links.Add(value);
            }
        }

        return links;
    }

    private static bool IsLocal(string link) =>
        link.Length > 0 && link[0] != '#' && !link.StartsWith("//", StringComparison.Ordinal) && !Scheme().IsMatch(link);

    // The file a link names as a bucket website serves it: a folder means its index.html; null
    // when it does not exist or points outside the site.
    private static string? Resolve(string root, string fromFile, string link)
    {
        var end = link.IndexOfAny(['?', '#']);
        var path = Uri.UnescapeDataString(end < 0 ? link : link[..end]);
        var fullRoot = Path.GetFullPath(root);
        var target = path.StartsWith('/')
            ? Path.GetFullPath(Path.Combine(fullRoot, "." + path))
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fromFile)!, path));
        if (!target.StartsWith(fullRoot, StringComparison.Ordinal))
        {
            return null;
        }

        if (path.EndsWith('/') || path.Length == 0 || Directory.Exists(target))
        {
            target = Path.Combine(target, "index.html");
        }

        return File.Exists(target) ? target : null;
    }

    private static string Relative(string path) => Path.GetRelativePath(SiteRoot, path);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tandem.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Tandem.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("""\b(?:href|src)\s*=\s*(?:"(?<dq>[^"]*)"|'(?<sq>[^']*)'|(?<bare>[^\s>"']+))""", RegexOptions.IgnoreCase)]
    private static partial Regex LinkAttribute();

    [GeneratedRegex("""url\(\s*["']?(?<url>[^"')]+)["']?\s*\)""")]
    private static partial Regex CssUrl();

    [GeneratedRegex("^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();
}

using Tandem.Edge.Caching;
using Tandem.Edge.Releases;
using static Tandem.Tests.Edge.Releases.ReleaseTestData;

namespace Tandem.Tests.Edge.Releases;

public class ReleaseViewTests
{
    [Fact]
    public void Key_ListedPath_ScopeIsContentHash()
    {
        var view = ReleaseView.Create(Manifest("aaaaaaaaaaaa", "css/site.css=a"));
        Assert.Equal("@" + new string('0', 31) + "a|/css/site.css", view.Key("/css/site.css", null, false));
    }

    [Fact]
    public void Key_UnchangedFileInNextRelease_SameKey()
    {
        var one = ReleaseView.Create(Manifest("aaaaaaaaaaaa", "css/site.css=1", "index.html=2"));
        var two = ReleaseView.Create(Manifest("bbbbbbbbbbbb", "css/site.css=1", "index.html=3"));
        Assert.Equal(one.Key("/css/site.css", null, false), two.Key("/css/site.css", null, false));
        Assert.NotEqual(one.Key("/index.html", null, false), two.Key("/index.html", null, false));
    }

    [Fact]
    public void Key_UnlistedPath_ScopeIsRelease()
    {
        var view = ReleaseView.Create(Manifest("aaaaaaaaaaaa", "index.html=1"));
        Assert.Equal("@r:aaaaaaaaaaaa|/missing.png", view.Key("/missing.png", null, false));
    }

    [Theory]
    [InlineData("/", "/index.html")]
    [InlineData("/docs/", "/docs/index.html")]
    public void Key_FolderPath_SameScopeAsIndexDocument(string folder, string index)
    {
        var view = ReleaseView.Create(Manifest("aaaaaaaaaaaa", "index.html=1", "docs/index.html=2"));
        Assert.True(view.Contains(folder));
        Assert.Equal(view.Key(index, null, false)[..33], view.Key(folder, null, false)[..33]);
        Assert.EndsWith("|" + folder, view.Key(folder, null, false), StringComparison.Ordinal);
    }

    [Fact]
    public void Key_OtherIndexDocument_MapsFolderToIt()
    {
        var view = ReleaseView.Create(Manifest("aaaaaaaaaaaa", "docs/default.htm=2"), "default.htm");
        Assert.True(view.Contains("/docs/"));
        Assert.False(view.Contains("/docs/index.html"));
    }

    [Fact]
    public void Key_QueryInKey_KeptAfterPath()
    {
        var view = ReleaseView.Create(Manifest("aaaaaaaaaaaa", "a.js=1"));
        Assert.EndsWith("|/a.js?v=2", view.Key("/a.js", "v=2", true), StringComparison.Ordinal);
        Assert.EndsWith("|/a.js", view.Key("/a.js", "v=2", false), StringComparison.Ordinal);
    }

    [Fact]
    public void Key_InvalidationPattern_MatchesEveryRelease()
    {
        var one = ReleaseView.Create(Manifest("aaaaaaaaaaaa", "css/site.css=1"));
        var two = ReleaseView.Create(Manifest("bbbbbbbbbbbb", "css/site.css=2"));
        Assert.True(CacheKey.Matches("/css/site.css", one.Key("/css/site.css", null, false)));
        Assert.True(CacheKey.Matches("/css/*", two.Key("/css/site.css", null, false)));
        Assert.True(CacheKey.Matches("/missing", one.Key("/missing", null, false)));
    }
}

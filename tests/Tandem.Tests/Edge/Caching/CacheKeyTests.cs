using Tandem.Edge.Caching;

namespace Tandem.Tests.Edge.Caching;

public class CacheKeyTests
{
    [Theory]
    [InlineData("/a.html", null, true, "|/a.html")]
    [InlineData("/a.html", "?v=2", true, "|/a.html?v=2")]
    [InlineData("/a.html", "v=2", true, "|/a.html?v=2")]
    [InlineData("/a.html", "?v=2", false, "|/a.html")]
    [InlineData("/a.html", "?", true, "|/a.html")]
    [InlineData("/a.html", "", true, "|/a.html")]
    public void Create_QueryOption_KeyShape(string path, string? query, bool includeQuery, string expected)
    {
        Assert.Equal(expected, CacheKey.Create(path, query, includeQuery));
    }

    [Fact]
    public void Create_Scope_Prefixed()
    {
        Assert.Equal("www.example.com|/a", CacheKey.Create("www.example.com", "/a", null, false));
    }

    [Fact]
    public void Create_ScopeWithSeparator_Throws()
    {
        Assert.Throws<ArgumentException>(() => CacheKey.Create("a|b", "/a", null, false));
    }

    [Fact]
    public void PathOf_PathWithSeparator_SplitsAtFirst()
    {
        Assert.Equal("/a|b", CacheKey.PathOf("site|/a|b").ToString());
    }

    [Theory]
    [InlineData("/images/a.png", "s|/images/a.png", true)]
    [InlineData("/images/a.png", "s|/images/a.png?v=2", false)]
    [InlineData("/images/a.png?v=2", "s|/images/a.png?v=2", true)]
    [InlineData("/images/*", "s|/images/a.png?v=2", true)]
    [InlineData("/images/*", "s|/images/", true)]
    [InlineData("/images/*", "s|/images", false)]
    [InlineData("/images*", "s|/images", true)]
    [InlineData("/images*", "s|/images-old/a.png", true)]
    [InlineData("/Images/*", "s|/images/a.png", false)]
    [InlineData("/dir/logo.*", "s|/dir/logo.png", true)]
    [InlineData("/*", "s|/anything?q=1", true)]
    [InlineData("*", "s|/anything", true)]
    [InlineData("images/*", "s|/images/a.png", true)]
    [InlineData("index.html", "s|/index.html", true)]
    [InlineData("/a*b", "s|/a*b", true)]
    [InlineData("/a*b", "s|/axb", false)]
    public void Matches_Pattern_CloudFrontSemantics(string pattern, string key, bool expected)
    {
        Assert.Equal(expected, CacheKey.Matches(pattern, key));
    }
}

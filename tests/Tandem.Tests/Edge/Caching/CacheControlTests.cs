using Tandem.Edge.Caching;

namespace Tandem.Tests.Edge.Caching;

public class CacheControlTests
{
    [Fact]
    public void Parse_EveryDirective_AllRead()
    {
        var cc = CacheControl.Parse(
            "public, private, no-store, no-cache, must-revalidate, proxy-revalidate, immutable, no-transform, "
            + "max-age=60, s-maxage=120, stale-while-revalidate=30, stale-if-error=600");

        Assert.True(cc.Present);
        Assert.True(cc.Public && cc.Private && cc.NoStore && cc.NoCache);
        Assert.True(cc.MustRevalidate && cc.ProxyRevalidate && cc.Immutable && cc.NoTransform);
        Assert.Equal(TimeSpan.FromSeconds(60), cc.MaxAge);
        Assert.Equal(TimeSpan.FromSeconds(120), cc.SharedMaxAge);
        Assert.Equal(TimeSpan.FromSeconds(30), cc.StaleWhileRevalidate);
        Assert.Equal(TimeSpan.FromSeconds(600), cc.StaleIfError);
    }

    [Theory]
    [InlineData("max-age=600")]
    [InlineData("MAX-AGE=600")]
    [InlineData("  max-age = 600  ")]
    [InlineData("max-age=\"600\"")]
    [InlineData(",, max-age=600 ,")]
    [InlineData("max-age=600, max-age=600")]
    [InlineData("x-ext=\"a, max-age=1\", max-age=600")]
    public void Parse_TolerantForms_MaxAgeRead(string value)
    {
        Assert.Equal(TimeSpan.FromSeconds(600), CacheControl.Parse(value).MaxAge);
    }

    [Theory]
    [InlineData("max-age=60, max-age=120")]
    [InlineData("max-age=abc")]
    [InlineData("max-age=-5")]
    [InlineData("max-age")]
    [InlineData("max-age=")]
    public void Parse_DuplicateOrInvalidMaxAge_Zero(string value)
    {
        // RFC 9111 4.2.1: conflicting or invalid freshness information makes the response stale.
        Assert.Equal(TimeSpan.Zero, CacheControl.Parse(value).MaxAge);
    }

    [Fact]
    public void Parse_HugeMaxAge_SaturatesAtTwoToThe31()
    {
        Assert.Equal(TimeSpan.FromSeconds(2147483648), CacheControl.Parse("max-age=99999999999999999999").MaxAge);
    }

    [Fact]
    public void Parse_DuplicateStaleDirectives_SmallestWins()
    {
        var cc = CacheControl.Parse("stale-if-error=600, stale-if-error=60, stale-while-revalidate=bad, stale-while-revalidate=5");

        Assert.Equal(TimeSpan.FromSeconds(60), cc.StaleIfError);
        Assert.Equal(TimeSpan.FromSeconds(5), cc.StaleWhileRevalidate);
    }

    [Theory]
    [InlineData("no-cache=\"Set-Cookie\"")]
    [InlineData("no-cache=\"Set-Cookie, X-Token\", max-age=60")]
    [InlineData("No-Cache")]
    public void Parse_FieldNamedNoCache_CountsAsNoCache(string value)
    {
        Assert.True(CacheControl.Parse(value).NoCache);
    }

    [Fact]
    public void Parse_SeveralLines_Combined()
    {
        var cc = CacheControl.Parse(ResponseHeaders.Of("Cache-Control", "public", "cache-control", "max-age=30"));

        Assert.True(cc.Public);
        Assert.Equal(TimeSpan.FromSeconds(30), cc.MaxAge);
    }

    [Fact]
    public void Parse_PragmaNoCacheWithoutCacheControl_NoCache()
    {
        Assert.True(CacheControl.Parse(ResponseHeaders.Of("Pragma", "no-cache")).NoCache);
    }

    [Fact]
    public void Parse_PragmaNoCacheWithCacheControl_PragmaIgnored()
    {
        Assert.False(CacheControl.Parse(ResponseHeaders.Of("Pragma", "no-cache", "Cache-Control", "max-age=60")).NoCache);
    }

    [Fact]
    public void Parse_NoHeaders_NothingPresent()
    {
        Assert.Equal(default, CacheControl.Parse(ResponseHeaders.Empty));
    }
}

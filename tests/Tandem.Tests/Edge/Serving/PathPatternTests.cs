using Tandem.Edge.Serving;

namespace Tandem.Tests.Edge.Serving;

public sealed class PathPatternTests
{
    [Theory]
    [InlineData("*", "/", true)]
    [InlineData("*", "/a/b/c.html", true)]
    [InlineData("/images/*", "/images/a.png", true)]
    [InlineData("/images/*", "/images/deep/a.png", true)]
    [InlineData("/images/*", "/images", false)]
    [InlineData("images/*", "/images/x", true)]
    [InlineData("/images/*.png", "/images/a/b.png", true)]
    [InlineData("/images/*.png", "/images/a.jpg", false)]
    [InlineData("/*.js", "/app.js", true)]
    [InlineData("/*.js", "/js/app.js", true)]
    [InlineData("/a?c", "/abc", true)]
    [InlineData("/a?c", "/ac", false)]
    [InlineData("/Images/*", "/images/a", false)]
    [InlineData("/index.html", "/index.html", true)]
    [InlineData("/index.html", "/index.htm", false)]
    [InlineData("/a*b*c", "/aXXbYYc", true)]
    [InlineData("/a*b*c", "/aXXbYY", false)]
    public void IsMatch_CloudFrontSemantics(string pattern, string path, bool expected) =>
        Assert.Equal(expected, new PathPattern(pattern).IsMatch(path));

    [Fact]
    public void IsMatch_ManyStarsAgainstLongPath_StaysFast()
    {
        var pattern = new PathPattern("/" + string.Concat(Enumerable.Repeat("*a", 20)) + "b");
        var path = "/" + new string('a', 5000);

        Assert.False(pattern.IsMatch(path));
    }
}

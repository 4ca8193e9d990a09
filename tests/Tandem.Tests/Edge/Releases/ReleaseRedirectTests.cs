using Tandem.Edge.Releases;

namespace Tandem.Tests.Edge.Releases;

public class ReleaseRedirectTests
{
    [Theory]
    [InlineData("/releases/aaaaaaaaaaaa/docs/", "/releases/aaaaaaaaaaaa", "/docs/")]
    [InlineData("/www/releases/aaaaaaaaaaaa/docs/", "/www/releases/aaaaaaaaaaaa", "/docs/")]
    [InlineData("http://origin:9001/releases/aaaaaaaaaaaa/docs/?a=1", "/releases/aaaaaaaaaaaa", "/docs/?a=1")]
    [InlineData("https://example.com/elsewhere", "/releases/aaaaaaaaaaaa", "https://example.com/elsewhere")]
    [InlineData("/releases/aaaaaaaaaaaab/x", "/releases/aaaaaaaaaaaa", "/releases/aaaaaaaaaaaab/x")]
    public void Strip_Location(string location, string prefix, string expected)
    {
        Assert.Equal(expected, ReleaseRedirect.Strip(location, prefix));
    }

    [Theory]
    // deploy's routing rule: a missing file goes to the live release's error document (this or another release)
    [InlineData("http://origin:9001/releases/bbbbbbbbbbbb/404.html", "", "/releases/", "/releases/aaaaaaaaaaaa/nope.html", true)]
    [InlineData("/releases/aaaaaaaaaaaa/404.html", "", "/releases/", "/releases/aaaaaaaaaaaa/nope.html", true)]
    [InlineData("/www/releases/aaaaaaaaaaaa/404.html", "", "/www/releases/", "/www/releases/aaaaaaaaaaaa/a/b", true)]
    [InlineData("/base/releases/aaaaaaaaaaaa/404.html", "/base", "/releases/", "/releases/aaaaaaaaaaaa/nope", true)]
    [InlineData("http://origin:9001/www/releases/aaaaaaaaaaaa/_tandem/releases/bbbbbbbbbbbb.json", "", "/www/releases/", "/www/_tandem/releases/bbbbbbbbbbbb.json", true)]
    // the website endpoint's own folder redirect, and redirects elsewhere, stay redirects
    [InlineData("/releases/aaaaaaaaaaaa/docs/", "", "/releases/", "/releases/aaaaaaaaaaaa/docs", false)]
    [InlineData("http://origin:9001/www/releases/aaaaaaaaaaaa/docs/?q=1", "", "/www/releases/", "/www/releases/aaaaaaaaaaaa/docs?q=1", false)]
    [InlineData("https://example.com/elsewhere", "", "/releases/", "/releases/aaaaaaaaaaaa/old.html", false)]
    [InlineData("/new-page.html", "", "/releases/", "/releases/aaaaaaaaaaaa/old.html", false)]
    public void IsMissingFile_OnlyDeploysRoutingRuleRedirect(string location, string pathPrefix, string releasesFolder, string target, bool expected)
    {
        Assert.Equal(expected, ReleaseRedirect.IsMissingFile(location, pathPrefix, releasesFolder, target));
    }
}

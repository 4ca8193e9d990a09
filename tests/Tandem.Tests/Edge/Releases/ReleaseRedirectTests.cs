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
}

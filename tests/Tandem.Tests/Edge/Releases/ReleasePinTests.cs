using Tandem.Edge.Releases;
using static Tandem.Tests.Edge.Releases.ReleaseTestData;

namespace Tandem.Tests.Edge.Releases;

public class ReleasePinTests
{
    private static readonly ReleaseView Live = ReleaseView.Create(Manifest("bbbbbbbbbbbb", "index.html=1"));
    private static readonly ReleaseView Old = ReleaseView.Create(Manifest("aaaaaaaaaaaa", "index.html=2"));

    private static ReleaseView? Known(string id) => id == Old.Id ? Old : id == Live.Id ? Live : null;

    [Theory]
    [InlineData("/app.js", "document", null)]
    [InlineData("/about", null, "text/html,application/xhtml+xml,*/*;q=0.8")]
    [InlineData("/docs/", null, null)]
    [InlineData("/page.html", null, "*/*")]
    public void Decide_Navigation_LiveAndCookie(string path, string? dest, string? accept)
    {
        var d = ReleasePin.Decide(Live, 300, path, dest, accept, "tandem_release=aaaaaaaaaaaa", Known);
        Assert.Same(Live, d.Release);
        Assert.True(d.SetCookie);
    }

    [Fact]
    public void Decide_AssetWithKnownCookie_PinnedRelease()
    {
        var d = ReleasePin.Decide(Live, 300, "/app.js", "script", "*/*", "a=1; tandem_release=aaaaaaaaaaaa; b=2", Known);
        Assert.Same(Old, d.Release);
        Assert.False(d.SetCookie);
    }

    [Theory]
    [InlineData("tandem_release=cccccccccccc")]
    [InlineData("tandem_release=../../etc")]
    [InlineData("tandem_release=")]
    [InlineData("other=aaaaaaaaaaaa")]
    [InlineData(null)]
    public void Decide_AssetWithUnknownOrBadCookie_Live(string? cookie)
    {
        var d = ReleasePin.Decide(Live, 300, "/app.js", "script", "*/*", cookie, Known);
        Assert.Same(Live, d.Release);
        Assert.False(d.SetCookie);
    }

    [Fact]
    public void Decide_PinningOff_LiveWithoutCookie()
    {
        var d = ReleasePin.Decide(Live, 0, "/index.html", "document", null, "tandem_release=aaaaaaaaaaaa", Known);
        Assert.Same(Live, d.Release);
        Assert.False(d.SetCookie);
        Assert.Same(Live, ReleasePin.Decide(Live, 0, "/app.js", null, null, "tandem_release=aaaaaaaaaaaa", Known).Release);
    }

    [Fact]
    public void Decide_NoRelease_Nothing()
    {
        var d = ReleasePin.Decide(null, 300, "/index.html", "document", null, null, Known);
        Assert.Null(d.Release);
        Assert.False(d.SetCookie);
    }

    [Fact]
    public void SetCookie_Shape()
    {
        Assert.Equal("tandem_release=aaaaaaaaaaaa; Path=/; Max-Age=300; HttpOnly; SameSite=Lax", ReleasePin.SetCookie("aaaaaaaaaaaa", 300));
    }
}

using Tandem.Core.Http;

namespace Tandem.Tests.Core.Http;

public class UrlPathTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("/a/b.html", "/a/b.html")]
    [InlineData("/a/b.html?x=1&y=%2F", "/a/b.html")]
    [InlineData("/?website", "/")]
    [InlineData("http://site.localhost:9001/a/b?q", "/a/b")]
    [InlineData("HTTPS://site.localhost", "/")]
    [InlineData("http://site.localhost?q", "/")]
    public void TryGetPath_OriginOrAbsoluteForm_PathWithoutQuery(string target, string expected)
    {
        Assert.True(UrlPath.TryGetPath(target, out var path));
        Assert.Equal(expected, path.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("site.localhost:443")]
    [InlineData("ftp://site/a")]
    public void TryGetPath_OtherForms_False(string target)
    {
        Assert.False(UrlPath.TryGetPath(target, out _));
    }

    [Theory]
    [InlineData("index.html", "index.html")]
    [InlineData("a%20b.html", "a b.html")]
    [InlineData("caf%C3%A9.html", "café.html")]
    [InlineData("caf%c3%a9.html", "café.html")]
    [InlineData("café.html", "café.html")]
    [InlineData("a+b.html", "a+b.html")]
    [InlineData("%2e%2e/secret", "../secret")]
    [InlineData("a%2Fb", "a/b")]
    [InlineData("a%5Cb", "a\\b")]
    [InlineData("100%25", "100%")]
    [InlineData("%F0%9F%8F%81", "🏁")]
    public void TryDecode_ValidPath_Decoded(string path, string expected)
    {
        Assert.True(UrlPath.TryDecode(path, out var decoded));
        Assert.Equal(expected, decoded);
    }

    [Theory]
    [InlineData("a%00b")]
    [InlineData("a\0b")]
    [InlineData("%")]
    [InlineData("a%2")]
    [InlineData("a%zz")]
    [InlineData("%C3")]
    [InlineData("%C3%28")]
    [InlineData("%FF")]
    [InlineData("%ED%A0%80")]
    public void TryDecode_BadEscapeBadUtf8OrNul_False(string path)
    {
        Assert.False(UrlPath.TryDecode(path, out _));
    }

    [Fact]
    public void TryDecode_LongPath_DecodedPastTheStackBuffer()
    {
        var path = string.Concat(Enumerable.Repeat("%C3%A9", 400));
        Assert.True(UrlPath.TryDecode(path, out var decoded));
        Assert.Equal(new string('é', 400), decoded);
    }

    [Theory]
    [InlineData("/a b", "/a%20b")]
    [InlineData("/café/", "/caf%C3%A9/")]
    [InlineData("/a\\b", "/a%5Cb")]
    [InlineData("/100%", "/100%25")]
    [InlineData("/a?b#c", "/a%3Fb%23c")]
    [InlineData("//evil.example/", "/%2Fevil.example/")]
    [InlineData("/🏁", "/%F0%9F%8F%81")]
    [InlineData("/a+b=c,d", "/a+b=c,d")]
    public void Encode_UnsafeCharacters_PercentEncoded(string path, string expected)
    {
        Assert.Equal(expected, UrlPath.Encode(path));
    }

    [Fact]
    public void Encode_PlainPath_SameInstance()
    {
        const string path = "/events/2026/index.html";
        Assert.Same(path, UrlPath.Encode(path));
    }

    [Theory]
    [InlineData("/a b/é?#%")]
    [InlineData("/../x")]
    public void Encode_ThenDecode_RoundTrips(string path)
    {
        Assert.True(UrlPath.TryDecode(UrlPath.Encode(path), out var decoded));
        Assert.Equal(path, decoded);
    }
}

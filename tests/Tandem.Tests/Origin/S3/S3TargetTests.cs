using Tandem.Origin;
using Tandem.Origin.S3;

namespace Tandem.Tests.Origin.S3;

public sealed class S3TargetTests
{
    [Theory]
    [InlineData("/", null, null, "")]
    [InlineData("/site", null, "site", "")]
    [InlineData("/site/", null, "site", "")]
    [InlineData("/site/a/b.html", null, "site", "a/b.html")]
    [InlineData("/site/with%20space%2Band%26.txt", null, "site", "with space+and&.txt")]
    [InlineData("/site/caf%C3%A9", null, "site", "café")]
    [InlineData("/site/a%2Fb", null, "site", "a/b")]
    [InlineData("/site/plus+kept", null, "site", "plus+kept")]
    [InlineData("/a/b.html", "site.localhost:9000", "site", "a/b.html")]
    [InlineData("/", "site.localhost", "site", "")]
    [InlineData("/site/x", "localhost:9000", "site", "x")]
    [InlineData("/site/x", "127.0.0.1:9000", "site", "x")]
    [InlineData("http://127.0.0.1:9000/site/k?x=1", null, "site", "k")]
    public void Parse_PathAndVirtualHostStyles_FindBucketAndKey(string target, string? host, string? bucket, string key)
    {
        var t = S3Target.Parse(target, host, "localhost");

        Assert.Equal(bucket, t.Bucket);
        Assert.Equal(key, t.Key);
    }

    [Fact]
    public void Parse_Query_DecodesAndKeepsBareKeys()
    {
        var t = S3Target.Parse("/site?list-type=2&prefix=a%2Fb+c&delimiter=%2F&x-id=ListObjects&uploads", null, null);

        Assert.Equal("2", t.Get("list-type"));
        Assert.Equal("a/b c", t.Get("prefix"));
        Assert.Equal("/", t.Get("delimiter"));
        Assert.True(t.Has("uploads"));
        Assert.Equal("", t.Get("uploads"));
        Assert.Equal("list-type=2&prefix=a%2Fb+c&delimiter=%2F&x-id=ListObjects&uploads", t.RawQuery);
        Assert.Null(t.Get("missing"));
    }

    [Theory]
    [InlineData("/site/bad%zz")]
    [InlineData("/site/trunc%4")]
    [InlineData("/site/badutf8%C3%28")]
    [InlineData("/site?x=%ZZ")]
    public void Parse_BadEncoding_ThrowsInvalidUri(string target)
    {
        var ex = Assert.Throws<S3Exception>(() => S3Target.Parse(target, null, null));

        Assert.Equal("InvalidURI", ex.Code);
        Assert.Equal(400, ex.Status);
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a+b&c", "a%2Bb%26c")]
    [InlineData("dir/é", "dir/%C3%A9")]
    [InlineData("safe-_.~", "safe-_.~")]
    public void UrlEncode_KeepSlash_EncodesLikeS3(string value, string expected) =>
        Assert.Equal(expected, S3Target.UrlEncode(value, keepSlash: true));
}

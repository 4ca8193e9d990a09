using Tandem.Origin.Auth;
using static Tandem.Tests.Origin.Auth.AwsExamples;

namespace Tandem.Tests.Origin.Auth;

public class SigV4CanonicalTests
{
    [Theory]
    [InlineData("", "/")]
    [InlineData("/", "/")]
    [InlineData("/test-bucket/a%20b/a+b", "/test-bucket/a%20b/a%2Bb")]
    [InlineData("/test-bucket/%c3%bc/%E4%B8%AD", "/test-bucket/%C3%BC/%E4%B8%AD")]
    [InlineData("/test-bucket/!*'()~=&:@$,;", "/test-bucket/%21%2A%27%28%29~%3D%26%3A%40%24%2C%3B")]
    [InlineData("/test-bucket/%21%2A%27%28%29%7E%3D%26%3A", "/test-bucket/%21%2A%27%28%29~%3D%26%3A")]
    [InlineData("/test-bucket/100%25/100%", "/test-bucket/100%25/100%25")]
    [InlineData("/test-bucket/%zz%4", "/test-bucket/%25zz%254")]
    [InlineData("/test-bucket//a//b/", "/test-bucket//a//b/")]
    [InlineData("/test-bucket/a%2Fb/c", "/test-bucket/a%2Fb/c")]
    [InlineData("/test-bucket/a%2fb", "/test-bucket/a%2Fb")]
    [InlineData("/é \"x\"", "/%C3%A9%20%22x%22")]
    [InlineData("/test%24file.text", "/test%24file.text")]
    public void CanonicalUri_RawPath_DecodedOnceAndEncodedAsS3Does(string raw, string expected)
    {
        Assert.Equal(expected, SigV4.CanonicalUri(raw));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("b=2&a=1", "a=1&b=2")]
    [InlineData("a=2&a=1&a=&A=3", "A=3&a=&a=1&a=2")]
    [InlineData("acl&b=", "acl=&b=")]
    [InlineData("lifecycle", "lifecycle=")]
    [InlineData("a=1&&b=2&", "a=1&b=2")]
    [InlineData("k=1&k-x=2&k.y=3&k0=4", "k=1&k-x=2&k.y=3&k0=4")]
    [InlineData("k=%c3%bc~!*'()&l=a=b&m=a:b/c", "k=%C3%BC~%21%2A%27%28%29&l=a%3Db&m=a%3Ab%2Fc")]
    [InlineData("prefix=a%20b&delimiter=%2F", "delimiter=%2F&prefix=a%20b")]
    [InlineData("a=b+c&d=e%2Bf&g=%20", "a=b%20c&d=e%2Bf&g=%20")]
    public void CanonicalQuery_RawQuery_SortedAndReencoded(string raw, string expected)
    {
        Assert.Equal(expected, SigV4.CanonicalQuery(SigV4.SplitQuery(raw), plusIsSpace: true));
    }

    [Fact]
    public void CanonicalQuery_RawPlusAsLiteral_EncodedAsPercent2B()
    {
        Assert.Equal("a=b%2Bc&d=e%2Bf", SigV4.CanonicalQuery(SigV4.SplitQuery("a=b+c&d=e%2Bf"), plusIsSpace: false));
    }

    [Fact]
    public void CanonicalQuery_Excluded_LeavesOutThatParameterInAnyCase()
    {
        Assert.Equal("X-Amz-Date=1&a=", SigV4.CanonicalQuery(SigV4.SplitQuery("a&x-amz-signature=00&X-Amz-Date=1"), true, "X-Amz-Signature"));
    }

    [Fact]
    public void CanonicalHeaders_SpacesAndRepeats_TrimmedCollapsedAndJoined()
    {
        var headers = new List<KeyValuePair<string, string>>
        {
            new("X-Amz-Meta-S", "  a   b \t c  "),
            new("Host", "h"),
            new("x-amz-meta-list", " one "),
            new("X-AMZ-META-LIST", "two  words"),
        };

        Assert.Equal("host:h\nx-amz-meta-list:one,two words\nx-amz-meta-s:a b c\n",
            SigV4.CanonicalHeaders(headers, ["host", "x-amz-meta-list", "x-amz-meta-s"]));
    }

    [Fact]
    public void Authenticate_RawPlusSignedAsSpace_Accepted()
    {
        AssertRawPlusAccepted("prefix=a%20b");
    }

    [Fact]
    public void Authenticate_RawPlusSignedAsLiteralPlus_Accepted()
    {
        AssertRawPlusAccepted("prefix=a%2Bb");
    }

    [Fact]
    public void Authenticate_RawPlusSignedAsSomethingElse_SignatureDoesNotMatch()
    {
        Assert.Equal("SignatureDoesNotMatch", Assert.Throws<Tandem.Origin.S3Exception>(() => AssertRawPlusAccepted("prefix=a%2Cb")).Code);
    }

    private static void AssertRawPlusAccepted(string signedQuery)
    {
        var signature = SigV4VerifierTests.Sign($"GET\n/\n{signedQuery}\nhost:{Host}\nx-amz-content-sha256:{PayloadHashes.Empty}\nx-amz-date:{AmzDate}\n\nhost;x-amz-content-sha256;x-amz-date\n{PayloadHashes.Empty}");
        var request = GetBucket("prefix=a+b", signature);
        Assert.NotNull(SigV4Verifier.Authenticate(request, Lookup, Time));
    }
}

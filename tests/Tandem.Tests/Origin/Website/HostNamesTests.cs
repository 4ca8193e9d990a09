using Tandem.Origin.Website;

namespace Tandem.Tests.Origin.Website;

public class HostNamesTests
{
    [Theory]
    [InlineData("site.localhost:9001", "site.localhost", "site")]
    [InlineData("site.localhost", "site.localhost", "site")]
    [InlineData("SITE.LocalHost:9001", "site.localhost", "site")]
    [InlineData("site.localhost.", "site.localhost", "site")]
    [InlineData("my.site.localhost", "my.site.localhost", "my.site")]
    public void Parse_NameUnderBaseDomain_ExactAndVirtual(string host, string exact, string hosted)
    {
        Assert.Equal(new HostCandidates(exact, hosted), HostNames.Parse(host, "localhost"));
    }

    [Theory]
    [InlineData("www.example.com", "www.example.com")]
    [InlineData("www.example.com:80", "www.example.com")]
    [InlineData("localhost:9001", "localhost")]
    public void Parse_OtherName_ExactOnly(string host, string exact)
    {
        Assert.Equal(new HostCandidates(exact, null), HostNames.Parse(host, "localhost"));
    }

    [Theory]
    [InlineData("127.0.0.1:9001")]
    [InlineData("[::1]:9001")]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a_b.localhost")]
    public void Parse_AddressOrInvalidBucketName_NoCandidates(string host)
    {
        Assert.Equal(default, HostNames.Parse(host, "localhost"));
    }

    [Fact]
    public void Parse_VirtualNameTooShortForABucket_ExactOnly()
    {
        Assert.Equal(new HostCandidates("x.localhost", null), HostNames.Parse("x.localhost", "localhost"));
    }

    [Fact]
    public void Parse_NoBaseDomain_ExactOnly()
    {
        Assert.Equal(new HostCandidates("site.localhost", null), HostNames.Parse("site.localhost", null));
    }

    [Fact]
    public void Parse_SuffixWithoutDot_NotVirtual()
    {
        Assert.Equal(new HostCandidates("sitelocalhost", null), HostNames.Parse("sitelocalhost", "localhost"));
    }

    [Fact]
    public void Resolve_SameHostTwice_SameAnswer()
    {
        var names = new HostNames("web.test");

        Assert.Equal(names.Resolve("abc.web.test:81"), names.Resolve("ABC.WEB.TEST:81"));
        Assert.Equal("abc", names.Resolve("abc.web.test:81").Virtual);
    }
}

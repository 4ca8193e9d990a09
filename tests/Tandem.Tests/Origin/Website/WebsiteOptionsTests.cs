using Tandem.Origin.Website;

namespace Tandem.Tests.Origin.Website;

public class WebsiteOptionsTests
{
    [Fact]
    public void New_Defaults_LocalhostAndNoFallback()
    {
        var options = new WebsiteOptions();

        Assert.Equal("localhost", options.BaseDomain);
        Assert.Null(options.FallbackBucket);
    }

    [Theory]
    [InlineData(".Web.Example.", "web.example")]
    [InlineData("  ", null)]
    [InlineData(null, null)]
    public void BaseDomain_Set_Normalised(string? value, string? expected)
    {
        Assert.Equal(expected, new WebsiteOptions { BaseDomain = value }.BaseDomain);
    }

    [Theory]
    [InlineData("Site")]
    [InlineData("a")]
    [InlineData("../x")]
    public void FallbackBucket_InvalidName_ThrowsNamingTheProblem(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new WebsiteOptions { FallbackBucket = name });

        Assert.Contains("FallbackBucket", error.Message);
    }
}

using Tandem.Core.Http;

namespace Tandem.Tests.Core.Http;

public class EntityTagTests
{
    [Theory]
    [InlineData("*")]
    [InlineData("\"abc\"")]
    [InlineData("\"x\", \"abc\"")]
    [InlineData("\"x\",\"abc\"")]
    [InlineData(" ,\"x\" , \"abc\" ")]
    public void ListMatches_ListHoldsCurrentTag_True(string header)
    {
        Assert.True(EntityTag.ListMatches(header, "\"abc\"", strong: true));
    }

    [Theory]
    [InlineData("\"abd\"")]
    [InlineData("\"ab\"")]
    [InlineData("abc")]
    [InlineData("\"x\", bad, \"abc\"")]
    [InlineData("\"abc")]
    [InlineData("")]
    public void ListMatches_NoSuchTagOrMalformed_False(string header)
    {
        Assert.False(EntityTag.ListMatches(header, "\"abc\"", strong: false));
    }

    [Fact]
    public void ListMatches_WeakTagWeakComparison_True()
    {
        Assert.True(EntityTag.ListMatches("W/\"abc\"", "\"abc\"", strong: false));
    }

    [Fact]
    public void ListMatches_WeakTagStrongComparison_False()
    {
        Assert.False(EntityTag.ListMatches("W/\"abc\"", "\"abc\"", strong: true));
    }

    [Fact]
    public void ListMatches_CurrentTagWeakStrongComparison_False()
    {
        Assert.False(EntityTag.ListMatches("\"abc\"", "W/\"abc\"", strong: true));
    }

    [Fact]
    public void ListMatches_CurrentTagBare_ComparedAsOpaque()
    {
        Assert.True(EntityTag.ListMatches("\"abc\"", "abc", strong: true));
    }

    [Theory]
    [InlineData("\"abc\"", true)]
    [InlineData(" \"abc\" ", true)]
    [InlineData("W/\"abc\"", false)]
    [InlineData("\"abc\", \"x\"", false)]
    [InlineData("\"abd\"", false)]
    public void StrongEquals_IfRangeValue_ComparesOneStrongTag(string value, bool expected)
    {
        Assert.Equal(expected, EntityTag.StrongEquals(value, "\"abc\""));
    }
}

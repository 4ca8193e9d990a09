using Tandem.Core.Http;

namespace Tandem.Tests.Core.Http;

public class HttpDateTests
{
    private static readonly DateTimeOffset Sample = new(1994, 11, 6, 8, 49, 37, TimeSpan.Zero);

    [Fact]
    public void Format_OffsetTime_ImfFixdateInGmt()
    {
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.Format(Sample.ToOffset(TimeSpan.FromHours(2))));
    }

    [Theory]
    [InlineData("Sun, 06 Nov 1994 08:49:37 GMT")]
    [InlineData("Sunday, 06-Nov-94 08:49:37 GMT")]
    [InlineData("Sun Nov  6 08:49:37 1994")]
    [InlineData("  Sun, 06 Nov 1994 08:49:37 GMT  ")]
    public void TryParse_AnyOfTheThreeForms_SameInstant(string value)
    {
        Assert.True(HttpDate.TryParse(value, out var parsed));
        Assert.Equal(Sample, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2024-01-01T00:00:00Z")]
    [InlineData("Sun, 06 Nov 1994 08:49")]
    public void TryParse_NotAnHttpDate_False(string value)
    {
        Assert.False(HttpDate.TryParse(value, out _));
    }

    [Fact]
    public void TruncateToSeconds_SubSecondTime_DropsFraction()
    {
        Assert.Equal(Sample, HttpDate.TruncateToSeconds(Sample.AddMilliseconds(999)));
    }
}

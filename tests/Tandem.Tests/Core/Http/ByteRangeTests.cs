using Tandem.Core.Http;

namespace Tandem.Tests.Core.Http;

public class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-9", 0, 10)]
    [InlineData("bytes=90-", 90, 10)]
    [InlineData("bytes=-10", 90, 10)]
    [InlineData("bytes=-200", 0, 100)]
    [InlineData("bytes=50-500", 50, 50)]
    [InlineData("bytes=99-99", 99, 1)]
    [InlineData("BYTES=0-0", 0, 1)]
    [InlineData(" bytes= 1-2 ", 1, 2)]
    [InlineData("bytes=0-99999999999999999999999", 0, 100)]
    public void Evaluate_SingleSatisfiableRange_Partial(string header, long start, long length)
    {
        Assert.Equal(new ByteRange(RangeKind.Partial, start, length), ByteRange.Evaluate(header, 100));
    }

    [Theory]
    [InlineData("bytes=100-")]
    [InlineData("bytes=100-200")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=99999999999999999999999-")]
    public void Evaluate_RangePastTheEnd_NotSatisfiable(string header)
    {
        Assert.Equal(RangeKind.NotSatisfiable, ByteRange.Evaluate(header, 100).Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes=")]
    [InlineData("bytes=-")]
    [InlineData("bytes=5-1")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=+1-2")]
    [InlineData("items=0-1")]
    [InlineData("bytes=0-1,3-4")]
    [InlineData("bytes=0-1,")]
    public void Evaluate_NoUsableSingleRange_Whole(string? header)
    {
        Assert.Equal(ByteRange.Whole(100), ByteRange.Evaluate(header, 100));
    }

    [Fact]
    public void Evaluate_FirstPositionOnEmptyObject_NotSatisfiable()
    {
        Assert.Equal(RangeKind.NotSatisfiable, ByteRange.Evaluate("bytes=0-", 0).Kind);
    }

    [Fact]
    public void Evaluate_SuffixOnEmptyObject_Whole()
    {
        Assert.Equal(ByteRange.Whole(0), ByteRange.Evaluate("bytes=-5", 0));
    }

    [Fact]
    public void ContentRange_Partial_FirstLastAndTotal()
    {
        Assert.Equal("bytes 10-19/1000", new ByteRange(RangeKind.Partial, 10, 10).ContentRange(1000));
    }

    [Fact]
    public void ContentRange_NotSatisfiable_StarAndTotal()
    {
        Assert.Equal("bytes */1000", ByteRange.Evaluate("bytes=2000-", 1000).ContentRange(1000));
    }
}

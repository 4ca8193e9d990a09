using Tandem.Core.Http;

namespace Tandem.Tests.Core.Http;

public class HttpConditionsTests
{
    private const string Tag = "\"9a0364b9e99bb480dd25e1f0284c8555\"";
    private const string OtherTag = "\"00000000000000000000000000000000\"";
    private const string AtLastModified = "Sat, 14 Mar 2026 09:26:53 GMT";
    private const string Before = "Sat, 14 Mar 2026 09:26:52 GMT";
    private const string After = "Sat, 14 Mar 2026 09:26:54 GMT";

    // Stored times carry milliseconds; header dates do not.
    private static readonly DateTimeOffset LastModified = new(2026, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    private static PreconditionResult Evaluate(string? ifMatch = null, string? ifNoneMatch = null, string? ifModifiedSince = null, string? ifUnmodifiedSince = null) =>
        HttpConditions.Evaluate(ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince, Tag, LastModified);

    [Fact]
    public void Evaluate_NoConditions_Proceed()
    {
        Assert.Equal(PreconditionResult.Proceed, Evaluate(ifMatch: "", ifNoneMatch: ""));
    }

    [Theory]
    [InlineData(Tag)]
    [InlineData("*")]
    [InlineData("W/" + Tag)]
    [InlineData(OtherTag + ", " + Tag)]
    public void Evaluate_IfNoneMatchHoldsCurrentTag_NotModified(string ifNoneMatch)
    {
        Assert.Equal(PreconditionResult.NotModified, Evaluate(ifNoneMatch: ifNoneMatch));
    }

    [Fact]
    public void Evaluate_IfNoneMatchOtherTag_Proceed()
    {
        Assert.Equal(PreconditionResult.Proceed, Evaluate(ifNoneMatch: OtherTag));
    }

    [Fact]
    public void Evaluate_IfNoneMatchMissesWhileIfModifiedSinceWouldHold_Proceed()
    {
        // RFC 9110 13.2.2: If-Modified-Since is only looked at without If-None-Match.
        Assert.Equal(PreconditionResult.Proceed, Evaluate(ifNoneMatch: OtherTag, ifModifiedSince: After));
    }

    [Theory]
    [InlineData(AtLastModified)]
    [InlineData(After)]
    public void Evaluate_IfModifiedSinceNotBeforeLastModified_NotModified(string ifModifiedSince)
    {
        Assert.Equal(PreconditionResult.NotModified, Evaluate(ifModifiedSince: ifModifiedSince));
    }

    [Theory]
    [InlineData(Before)]
    [InlineData("not a date")]
    public void Evaluate_IfModifiedSinceEarlierOrInvalid_Proceed(string ifModifiedSince)
    {
        Assert.Equal(PreconditionResult.Proceed, Evaluate(ifModifiedSince: ifModifiedSince));
    }

    [Theory]
    [InlineData(Tag)]
    [InlineData("*")]
    [InlineData(OtherTag + "," + Tag)]
    public void Evaluate_IfMatchHolds_Proceed(string ifMatch)
    {
        Assert.Equal(PreconditionResult.Proceed, Evaluate(ifMatch: ifMatch));
    }

    [Theory]
    [InlineData(OtherTag)]
    [InlineData("W/" + Tag)]
    public void Evaluate_IfMatchFailsStrongComparison_PreconditionFailed(string ifMatch)
    {
        Assert.Equal(PreconditionResult.PreconditionFailed, Evaluate(ifMatch: ifMatch));
    }

    [Fact]
    public void Evaluate_IfUnmodifiedSinceBeforeLastModified_PreconditionFailed()
    {
        Assert.Equal(PreconditionResult.PreconditionFailed, Evaluate(ifUnmodifiedSince: Before));
    }

    [Fact]
    public void Evaluate_IfUnmodifiedSinceAtLastModified_Proceed()
    {
        Assert.Equal(PreconditionResult.Proceed, Evaluate(ifUnmodifiedSince: AtLastModified));
    }

    [Fact]
    public void Evaluate_IfMatchHoldsWhileIfUnmodifiedSinceWouldFail_Proceed()
    {
        Assert.Equal(PreconditionResult.Proceed, Evaluate(ifMatch: Tag, ifUnmodifiedSince: Before));
    }

    [Fact]
    public void Evaluate_IfMatchFailsAndIfNoneMatchHolds_PreconditionFailed()
    {
        Assert.Equal(PreconditionResult.PreconditionFailed, Evaluate(ifMatch: OtherTag, ifNoneMatch: Tag));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData(Tag, true)]
    [InlineData(OtherTag, false)]
    [InlineData("W/" + Tag, false)]
    [InlineData(AtLastModified, true)]
    [InlineData(Before, false)]
    [InlineData(After, false)]
    [InlineData("garbage", false)]
    public void IfRangeHolds_Validator_RangeAllowedOnlyOnExactMatch(string? ifRange, bool expected)
    {
        Assert.Equal(expected, HttpConditions.IfRangeHolds(ifRange, Tag, LastModified));
    }
}

using Tandem.Core.Stack;
using Tandem.Stack.Up;
using Tandem.Tests.Edge.Origins;

namespace Tandem.Tests.Stack;

public sealed class RestartPolicyTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void BackOff_StartsAtHalfASecond_DoublesToThirtySeconds()
    {
        var backOff = new RestartBackOff(new ManualTimeProvider(Start));

        var delays = Enumerable.Range(0, 9).Select(_ => backOff.Failed().TotalSeconds).ToList();

        Assert.Equal([0.5, 1, 2, 4, 8, 16, 30, 30, 30], delays);
    }

    [Fact]
    public void BackOff_ResetsAfterThirtySecondsOfHealthyRunning()
    {
        var time = new ManualTimeProvider(Start);
        var backOff = new RestartBackOff(time);
        backOff.Failed();
        backOff.Failed();
        backOff.Ready();
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(TimeSpan.FromSeconds(2), backOff.Failed());

        backOff.Ready();
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromMilliseconds(500), backOff.Failed());
    }

    [Fact]
    public void BackOff_ACrashBeforeReady_KeepsGrowing()
    {
        var time = new ManualTimeProvider(Start);
        var backOff = new RestartBackOff(time);
        backOff.Failed();
        time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(TimeSpan.FromSeconds(1), backOff.Failed());
    }

    [Fact]
    public void ForHold_NoHold_SupervisesAsUsual()
    {
        Assert.Equal(HoldAction.None, RestartPolicy.ForHold(null, processAlive: true, Start));
        Assert.Equal(HoldAction.None, RestartPolicy.ForHold(null, processAlive: false, Start));
    }

    [Theory]
    [InlineData("down", true)]
    [InlineData("down", false)]
    [InlineData("frozen", true)]
    [InlineData("frozen", false)]
    public void ForHold_ActiveHold_KeepsTheNodeAsItIs(string kind, bool alive) =>
        Assert.Equal(HoldAction.Keep, RestartPolicy.ForHold(Hold(kind, Start.AddSeconds(1)), alive, Start));

    [Fact]
    public void ForHold_ExpiredFrozenHoldOnALiveProcess_ResumesIt()
    {
        Assert.Equal(HoldAction.ResumeAndExpire, RestartPolicy.ForHold(Hold("frozen", Start), processAlive: true, Start));
        Assert.Equal(HoldAction.Expired, RestartPolicy.ForHold(Hold("frozen", Start), processAlive: false, Start));
        Assert.Equal(HoldAction.Expired, RestartPolicy.ForHold(Hold("down", Start.AddSeconds(-1)), processAlive: true, Start));
    }

    [Fact]
    public void AfterExit_ActiveHold_WaitsWithoutTouchingTheBackOff()
    {
        var backOff = new RestartBackOff(new ManualTimeProvider(Start));

        Assert.Null(RestartPolicy.AfterExit(Hold("down", Start.AddMinutes(1)), Start, backOff));
        Assert.Equal(TimeSpan.FromMilliseconds(500), backOff.Failed());
    }

    [Fact]
    public void AfterExit_ExpiredHold_RestartsAtOnce_NoHold_BacksOff()
    {
        var backOff = new RestartBackOff(new ManualTimeProvider(Start));

        Assert.Equal(TimeSpan.Zero, RestartPolicy.AfterExit(Hold("down", Start.AddSeconds(-1)), Start, backOff));
        Assert.Equal(TimeSpan.FromMilliseconds(500), RestartPolicy.AfterExit(null, Start, backOff));
        Assert.Equal(TimeSpan.FromSeconds(1), RestartPolicy.AfterExit(null, Start, backOff));
    }

    [Theory]
    [InlineData(137, "signal 9")]
    [InlineData(143, "signal 15")]
    [InlineData(1, "code 1")]
    [InlineData(0, "code 0")]
    public void DescribeExit_TellsSignalsFromExitCodes(int status, string expected) =>
        Assert.Equal(expected, RestartPolicy.DescribeExit(status));

    [Fact]
    public void DescribeDelay_MillisecondsBelowASecond()
    {
        Assert.Equal("500 ms", RestartPolicy.DescribeDelay(TimeSpan.FromMilliseconds(500)));
        Assert.Equal("1 s", RestartPolicy.DescribeDelay(TimeSpan.FromSeconds(1)));
        Assert.Equal("30 s", RestartPolicy.DescribeDelay(TimeSpan.FromSeconds(30)));
    }

    private static NodeHold Hold(string kind, DateTimeOffset until) => new() { Kind = kind, Until = until, By = 1 };
}

using Tandem.Dns.Health;

namespace Tandem.Tests.Dns;

public sealed class HealthCheckStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void New_BeforeAnyCheck_IsHealthy()
    {
        Assert.True(new HealthCheckState("c", 3, 2, T0).IsHealthy);
    }

    [Fact]
    public void Record_FailuresBelowThreshold_StayHealthy()
    {
        var s = new HealthCheckState("c", 3, 2, T0);

        Assert.False(s.Record(false, "refused", T0.AddSeconds(1)));
        Assert.False(s.Record(false, "refused", T0.AddSeconds(2)));
        Assert.True(s.IsHealthy);
        Assert.True(s.Record(false, "refused", T0.AddSeconds(3)));
        Assert.False(s.IsHealthy);
        Assert.Equal(T0.AddSeconds(3), s.Status.LastChange);
        Assert.Equal("refused", s.Status.LastError);
    }

    [Fact]
    public void Record_PassBetweenFailures_StartsTheCountAgain()
    {
        var s = new HealthCheckState("c", 2, 2, T0);

        s.Record(false, "x", T0);
        s.Record(true, null, T0);
        s.Record(false, "x", T0);

        Assert.True(s.IsHealthy);
    }

    [Fact]
    public void Record_Recovery_NeedsRecoveryThresholdPassesInARow()
    {
        var s = new HealthCheckState("c", 1, 3, T0);
        s.Record(false, "x", T0);

        s.Record(true, null, T0);
        s.Record(true, null, T0);
        s.Record(false, "x", T0);
        s.Record(true, null, T0);
        s.Record(true, null, T0);
        Assert.False(s.IsHealthy);
        Assert.True(s.Record(true, null, T0.AddSeconds(9)));

        Assert.True(s.IsHealthy);
        Assert.Equal(2, s.Status.Transitions);
        Assert.Equal(7, s.Status.Checks);
    }
}

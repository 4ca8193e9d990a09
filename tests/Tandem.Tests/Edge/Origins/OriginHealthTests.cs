using Tandem.Core.Configuration;
using Tandem.Edge.Origins;

namespace Tandem.Tests.Edge.Origins;

public class OriginHealthTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _time = new(Start);

    private OriginHealth Health(int unhealthy = 2, int healthy = 3) =>
        new(new HealthCheckConfig { UnhealthyThreshold = unhealthy, HealthyThreshold = healthy }, _time);

    [Fact]
    public void New_Always_IsHealthyWithNoHistory()
    {
        var s = Health().Snapshot();

        Assert.Equal(new OriginHealthSnapshot(OriginHealthState.Healthy, 0, 0, Start, null, 0), s);
    }

    [Fact]
    public void RecordFailure_StatusBelowThreshold_StaysHealthy()
    {
        var health = Health(unhealthy: 2);

        health.RecordFailure(OriginFailureKind.Status, "status 503");

        Assert.True(health.IsHealthy);
        Assert.Equal(1, health.Snapshot().ConsecutiveFailures);
        Assert.Equal("status 503", health.Snapshot().LastError);
    }

    [Fact]
    public void RecordFailure_StatusReachesThreshold_BecomesUnhealthyAndStampsTime()
    {
        var health = Health(unhealthy: 2);
        health.RecordFailure(OriginFailureKind.Status, "status 503");
        _time.Advance(TimeSpan.FromSeconds(7));

        health.RecordFailure(OriginFailureKind.Status, "status 502");

        var s = health.Snapshot();
        Assert.Equal(OriginHealthState.Unhealthy, s.State);
        Assert.Equal(Start.AddSeconds(7), s.LastChange);
        Assert.Equal("status 502", s.LastError);
        Assert.Equal(1, s.Transitions);
    }

    [Fact]
    public void RecordSuccess_BetweenStatusFailures_ResetsTheCount()
    {
        var health = Health(unhealthy: 2);

        health.RecordFailure(OriginFailureKind.Status, "status 503");
        health.RecordSuccess();
        health.RecordFailure(OriginFailureKind.Status, "status 503");

        Assert.True(health.IsHealthy);
    }

    [Fact]
    public void RecordFailure_Transport_IsUnhealthyAtOnce()
    {
        var health = Health(unhealthy: 5);

        health.RecordFailure(OriginFailureKind.Transport, "response_timeout: no response headers within 5000 ms");

        Assert.Equal(OriginHealthState.Unhealthy, health.State);
    }

    [Fact]
    public void RecordProbe_TransportFailure_IsUnhealthyAtOnce()
    {
        var health = Health(unhealthy: 3);

        health.RecordProbe(false, "no answer", OriginFailureKind.Transport);

        Assert.False(health.IsHealthy);
    }

    [Fact]
    public void RecordProbe_FailedStatusProbes_CountTowardThreshold()
    {
        var health = Health(unhealthy: 2);

        health.RecordProbe(false, "probe of / answered 404");
        Assert.True(health.IsHealthy);
        health.RecordProbe(false, "probe of / answered 404");

        Assert.False(health.IsHealthy);
    }

    [Fact]
    public void RecordProbe_Unhealthy_NeedsHealthyThresholdGoodProbesInARow()
    {
        var health = Health(healthy: 3);
        health.RecordFailure(OriginFailureKind.Transport, "refused");

        health.RecordProbe(true);
        health.RecordProbe(true);
        Assert.False(health.IsHealthy);
        _time.Advance(TimeSpan.FromSeconds(3));
        health.RecordProbe(true);

        var s = health.Snapshot();
        Assert.Equal(OriginHealthState.Healthy, s.State);
        Assert.Equal(Start.AddSeconds(3), s.LastChange);
        Assert.Equal(2, s.Transitions);
        Assert.Equal(0, s.ConsecutiveFailures);
    }

    [Fact]
    public void RecordProbe_Flapping_StaysUnhealthy()
    {
        var health = Health(healthy: 3);
        health.RecordFailure(OriginFailureKind.Transport, "refused");

        for (var i = 0; i < 10; i++)
        {
            health.RecordProbe(true);
            health.RecordProbe(true);
            health.RecordProbe(false, "probe of / answered 503");
        }

        Assert.False(health.IsHealthy);
        Assert.Equal(1, health.Transitions);
    }

    [Fact]
    public void RecordSuccess_WhileUnhealthy_CountsAsAGoodProbe()
    {
        var health = Health(healthy: 2);
        health.RecordFailure(OriginFailureKind.Transport, "refused");

        health.RecordSuccess();
        health.RecordProbe(true);

        Assert.True(health.IsHealthy);
    }

    [Fact]
    public void RecordFailure_WhileUnhealthy_StartsTheGoodCountAgain()
    {
        var health = Health(healthy: 2);
        health.RecordFailure(OriginFailureKind.Transport, "refused");

        health.RecordProbe(true);
        health.RecordFailure(OriginFailureKind.Status, "status 500");
        health.RecordProbe(true);

        Assert.False(health.IsHealthy);
    }

    [Fact]
    public void UnhealthyToken_CancelledOnUnhealthy_FreshOnceHealthyAgain()
    {
        var health = Health(healthy: 1);
        var before = health.UnhealthyToken;

        health.RecordFailure(OriginFailureKind.Transport, "refused");
        Assert.True(before.IsCancellationRequested);
        health.RecordProbe(true);

        Assert.False(health.UnhealthyToken.IsCancellationRequested);
    }

    [Fact]
    public void StateChanged_OnEachTransition_ReportsTheNewState()
    {
        var health = Health(healthy: 1);
        var seen = new List<OriginHealthState>();
        health.StateChanged += s => seen.Add(s.State);

        health.RecordFailure(OriginFailureKind.Status, "status 503");
        health.RecordFailure(OriginFailureKind.Status, "status 503");
        health.RecordFailure(OriginFailureKind.Status, "status 503");
        health.RecordProbe(true);
        health.RecordProbe(true);

        Assert.Equal([OriginHealthState.Unhealthy, OriginHealthState.Healthy], seen);
    }

    [Fact]
    public void RecordFailure_ManyThreadsAtOnce_ChangesStateOnce()
    {
        var health = Health(unhealthy: 2);
        var changes = 0;
        health.StateChanged += _ => Interlocked.Increment(ref changes);

        Parallel.For(0, 1000, _ => health.RecordFailure(OriginFailureKind.Status, "status 503"));

        Assert.Equal(1, changes);
        Assert.Equal(1000, health.Snapshot().ConsecutiveFailures);
    }
}

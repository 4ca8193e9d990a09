namespace Tandem.Dns.Health;

/// <summary>One health check's state at one moment.</summary>
public sealed record HealthStatus(string Name, bool Healthy, int ConsecutiveFailures, int ConsecutivePasses, long Checks, long Transitions, DateTimeOffset LastChange, DateTimeOffset? LastCheck, string? LastError);

/// <summary>
/// A health check's verdict with hysteresis, as Route 53 counts: healthy from the start (a new
/// check counts as healthy until there is enough data), unhealthy after
/// <see cref="FailureThreshold"/> failures in a row, healthy again after
/// <see cref="RecoveryThreshold"/> passes in a row. Pure: results and times come in from outside.
/// One writer (the check's own loop); readers take <see cref="Status"/>.
/// </summary>
public sealed class HealthCheckState
{
    private readonly Lock _lock = new();
    private HealthStatus _status;

    public HealthCheckState(string name, int failureThreshold, int recoveryThreshold, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failureThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(recoveryThreshold, 1);
        FailureThreshold = failureThreshold;
        RecoveryThreshold = recoveryThreshold;
        _status = new HealthStatus(name, true, 0, 0, 0, 0, now, null, null);
    }

    public int FailureThreshold { get; }

    public int RecoveryThreshold { get; }

    public bool IsHealthy => Volatile.Read(ref _status).Healthy;

    public HealthStatus Status => Volatile.Read(ref _status);

    /// <summary>Records one check's result; returns true when the verdict changed.</summary>
    public bool Record(bool passed, string? error, DateTimeOffset now)
    {
        lock (_lock)
        {
            var s = _status;
            var failures = passed ? 0 : s.ConsecutiveFailures + 1;
            var passes = passed ? s.ConsecutivePasses + 1 : 0;
            var healthy = s.Healthy ? failures < FailureThreshold : passes >= RecoveryThreshold;
            var changed = healthy != s.Healthy;
            Volatile.Write(ref _status, s with
            {
                Healthy = healthy,
                ConsecutiveFailures = failures,
                ConsecutivePasses = passes,
                Checks = s.Checks + 1,
                Transitions = s.Transitions + (changed ? 1 : 0),
                LastChange = changed ? now : s.LastChange,
                LastCheck = now,
                LastError = passed ? s.LastError : error,
            });
            return changed;
        }
    }
}

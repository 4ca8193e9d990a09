using Tandem.Core.Configuration;

namespace Tandem.Edge.Origins;

/// <summary>Whether requests go to an origin in its group's order, or skip it.</summary>
public enum OriginHealthState
{
    Healthy,
    Unhealthy,
}

/// <summary>How much one failure says about an origin.</summary>
public enum OriginFailureKind
{
    /// <summary>The origin answered, with a server error: counts one toward the unhealthy threshold.</summary>
    Status,

    /// <summary>Refused, reset, or no answer in time: the origin is unhealthy at once.</summary>
    Transport,
}

/// <summary>An origin's health at one moment.</summary>
/// <param name="State">Healthy or unhealthy.</param>
/// <param name="ConsecutiveFailures">Failures since the last success.</param>
/// <param name="ConsecutiveSuccesses">Successes (real requests and probes) since the last failure.</param>
/// <param name="LastChange">When the state last changed, or when tracking began.</param>
/// <param name="LastError">What the last failure was, or null when there has been none.</param>
/// <param name="Transitions">How many times the state has changed.</param>
public readonly record struct OriginHealthSnapshot(
    OriginHealthState State,
    int ConsecutiveFailures,
    int ConsecutiveSuccesses,
    DateTimeOffset LastChange,
    string? LastError,
    long Transitions);

/// <summary>
/// One origin's health, fed by real requests (passive) and probes (active). Thread-safe; time
/// comes from a <see cref="TimeProvider"/>, so it is tested without waiting.
/// </summary>
/// <remarks>
/// <para>An origin starts healthy, so the first request goes to the primary as CloudFront's would.</para>
/// <para>
/// Healthy to unhealthy: a <see cref="OriginFailureKind.Transport"/> failure (refused, reset,
/// connect or response timeout) is enough on its own; <see cref="OriginFailureKind.Status"/>
/// failures (5xx) need <see cref="UnhealthyThreshold"/> in a row. A frozen origin (SIGSTOP)
/// accepts connections and never answers, so every request to it waits the whole response
/// timeout: counting that once, not twice, is what keeps "only the first visitors after a
/// failure wait" true. A 5xx is cheap to fail over from, so a lone one is not worth leaving the
/// primary for. The transport adds one more transport failure, the stall rule: an origin that
/// answers nothing at all for a probe timeout while a request waits (see OriginClient.SendAsync).
/// </para>
/// <para>
/// Unhealthy to healthy: <see cref="HealthyThreshold"/> successes in a row, any failure starting
/// the count again, so a flapping origin stays out. A real request only reaches an unhealthy
/// origin when every origin of its group is unhealthy (or its group has this origin alone); its
/// good answer is the same evidence a probe gives, so it counts as one.
/// </para>
/// </remarks>
public sealed class OriginHealth
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private volatile OriginHealthState _state = OriginHealthState.Healthy;
    private CancellationTokenSource _unhealthy = new();
    private int _failures;
    private int _successes;
    private DateTimeOffset _lastChange;
    private string? _lastError;
    private long _transitions;
    private long _lastAnswer;

    /// <param name="thresholds">UnhealthyThreshold and HealthyThreshold; null for the defaults (2 and 3).</param>
    /// <param name="time">Clock for <see cref="OriginHealthSnapshot.LastChange"/>; null for the system clock.</param>
    public OriginHealth(HealthCheckConfig? thresholds = null, TimeProvider? time = null)
    {
        thresholds ??= new HealthCheckConfig();
        ArgumentOutOfRangeException.ThrowIfLessThan(thresholds.UnhealthyThreshold, 1, nameof(thresholds));
        ArgumentOutOfRangeException.ThrowIfLessThan(thresholds.HealthyThreshold, 1, nameof(thresholds));
        UnhealthyThreshold = thresholds.UnhealthyThreshold;
        HealthyThreshold = thresholds.HealthyThreshold;
        _time = time ?? TimeProvider.System;
        _lastChange = _time.GetUtcNow();
    }

    /// <summary>Status failures in a row that make a healthy origin unhealthy.</summary>
    public int UnhealthyThreshold { get; }

    /// <summary>Successes in a row that make an unhealthy origin healthy again.</summary>
    public int HealthyThreshold { get; }

    /// <summary>The current state; read without locking.</summary>
    public OriginHealthState State => _state;

    public bool IsHealthy => _state == OriginHealthState.Healthy;

    /// <summary>How many times the state has changed.</summary>
    public long Transitions => Interlocked.Read(ref _transitions);

    /// <summary>
    /// Cancelled when the origin becomes unhealthy; a fresh token is handed out once it is
    /// healthy again. Requests waiting on the origin link to it, so they move on to the next
    /// origin as soon as any request or probe has found this one broken.
    /// </summary>
    public CancellationToken UnhealthyToken
    {
        get
        {
            lock (_lock)
            {
                return _unhealthy.Token;
            }
        }
    }

    /// <summary>Raised after every state change, outside any lock, on the thread that caused it.</summary>
    public event Action<OriginHealthSnapshot>? StateChanged;

    public OriginHealthSnapshot Snapshot()
    {
        lock (_lock)
        {
            return SnapshotLocked();
        }
    }

    /// <summary>
    /// The origin sent response headers, whatever their status (a request or a probe). The
    /// transport notes this as soon as headers arrive, for <see cref="AnsweredSince"/>.
    /// </summary>
    internal void NoteAnswer() => Interlocked.Exchange(ref _lastAnswer, _time.GetTimestamp());

    /// <summary>Whether the origin has answered anything since <paramref name="timestamp"/> (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    internal bool AnsweredSince(long timestamp) => Interlocked.Read(ref _lastAnswer) >= timestamp;

    /// <summary>A real request got an answer that is not a failure.</summary>
    public void RecordSuccess() => Record(ok: true, OriginFailureKind.Status, null);

    /// <summary>A real request failed on this origin.</summary>
    public void RecordFailure(OriginFailureKind kind, string reason) => Record(ok: false, kind, reason);

    /// <summary>An active probe's result. A failed probe is weighed by <paramref name="kind"/> as a real request is.</summary>
    public void RecordProbe(bool ok, string? reason = null, OriginFailureKind kind = OriginFailureKind.Status) =>
        Record(ok, kind, ok ? null : reason ?? "probe failed");

    private void Record(bool ok, OriginFailureKind kind, string? reason)
    {
        CancellationTokenSource? cancel = null;
        OriginHealthSnapshot changed;
        lock (_lock)
        {
            var before = _state;
            if (ok)
            {
                _failures = 0;
                _successes++;
                if (before == OriginHealthState.Unhealthy && _successes >= HealthyThreshold)
                {
                    _state = OriginHealthState.Healthy;

                    // The cancelled source is dropped, not disposed: requests may still hold its token.
                    _unhealthy = new CancellationTokenSource();
                }
            }
            else
            {
                _successes = 0;
                _failures++;
                _lastError = reason;
                if (before == OriginHealthState.Healthy && (kind == OriginFailureKind.Transport || _failures >= UnhealthyThreshold))
                {
                    _state = OriginHealthState.Unhealthy;
                    cancel = _unhealthy;
                }
            }

            if (_state == before)
            {
                return;
            }

            _lastChange = _time.GetUtcNow();
            Interlocked.Increment(ref _transitions);
            changed = SnapshotLocked();
        }

        // Cancelling runs the waiting requests' callbacks, so it happens outside the lock.
        cancel?.Cancel();
        StateChanged?.Invoke(changed);
    }

    private OriginHealthSnapshot SnapshotLocked() =>
        new(_state, _failures, _successes, _lastChange, _lastError, Interlocked.Read(ref _transitions));
}

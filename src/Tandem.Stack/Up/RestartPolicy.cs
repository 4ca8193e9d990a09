using Tandem.Core.Stack;

namespace Tandem.Stack.Up;

/// <summary>
/// How long to wait before restarting a node that died: 0.5 s, doubling to 30 s at most, back to
/// 0.5 s once it has run for 30 s (a node that crashes at once is not restarted in a tight loop;
/// one that crashes once a day is restarted quickly every time).
/// </summary>
public sealed class RestartBackOff(TimeProvider time)
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    /// <summary>Running this long counts as healthy: the next failure waits <see cref="First"/> again.</summary>
    public static readonly TimeSpan HealthyAfter = TimeSpan.FromSeconds(30);

    private TimeSpan _next = First;
    private DateTimeOffset? _readySince;

    /// <summary>The node printed its ready line.</summary>
    public void Ready() => _readySince = time.GetUtcNow();

    /// <summary>The node exited; the delay before its restart.</summary>
    public TimeSpan Failed()
    {
        if (_readySince is { } since && time.GetUtcNow() - since >= HealthyAfter)
        {
            _next = First;
        }

        _readySince = null;
        var delay = _next;
        _next = _next * 2 > Max ? Max : _next * 2;
        return delay;
    }

    /// <summary>A deliberate stop (a drill's hold): the next failure starts the schedule afresh.</summary>
    public void Reset()
    {
        _next = First;
        _readySince = null;
    }
}

/// <summary>What the supervisor does about a node's hold file.</summary>
public enum HoldAction
{
    /// <summary>No hold: supervise as usual (restart a dead node with back-off).</summary>
    None,

    /// <summary>An active hold: leave the node as it is (a dead one stays down).</summary>
    Keep,

    /// <summary>The hold expired: delete the file, and restart the node at once if it is dead.</summary>
    Expired,

    /// <summary>A "frozen" hold expired on a live (stopped) process: SIGCONT it and delete the file.</summary>
    ResumeAndExpire,
}

/// <summary>The supervisor's decisions, as plain code over the hold and the clock.</summary>
public static class RestartPolicy
{
    public static HoldAction ForHold(NodeHold? hold, bool processAlive, DateTimeOffset now)
    {
        if (hold is null)
        {
            return HoldAction.None;
        }

        if (hold.ActiveAt(now))
        {
            return HoldAction.Keep;
        }

        return processAlive && hold.Kind == "frozen" ? HoldAction.ResumeAndExpire : HoldAction.Expired;
    }

    /// <summary>
    /// A node exited while the supervisor was not stopping it: null to wait for its hold to end,
    /// else the delay before restarting it (zero when a hold ended: that death was intended).
    /// </summary>
    public static TimeSpan? AfterExit(NodeHold? hold, DateTimeOffset now, RestartBackOff backOff) =>
        ForHold(hold, processAlive: false, now) switch
        {
            HoldAction.Keep => null,
            HoldAction.None => backOff.Failed(),
            _ => TimeSpan.Zero,
        };

    /// <summary>"signal 9" for a process killed by a signal (exit status 128+N), else "code N".</summary>
    public static string DescribeExit(int exitCode) =>
        exitCode > 128 && exitCode < 160 ? $"signal {exitCode - 128}" : $"code {exitCode}";

    /// <summary>"500 ms", "1 s", "30 s".</summary>
    public static string DescribeDelay(TimeSpan delay) =>
        delay < TimeSpan.FromSeconds(1) ? $"{delay.TotalMilliseconds:0} ms" : $"{delay.TotalSeconds:0.#} s";
}

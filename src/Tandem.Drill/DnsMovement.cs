namespace Tandem.Drill;

/// <summary>One answer of the name server to the drill's query: its addresses, or why there was none.</summary>
public sealed record DnsObservation(double AtMs, string Answer);

/// <summary>What the drill watches in DNS during both-down: a failover record and its two targets.</summary>
/// <param name="Name">Absolute name queried, such as "www.example.test".</param>
/// <param name="Secondary">The secondary target's address, answered while the primary's health check fails.</param>
/// <param name="DetectMs">Health check interval × failure threshold: how long the name server takes at least to move.</param>
public sealed record DnsWatch(string Name, string Server, int Port, string Secondary, int DetectMs);

/// <summary>When the answer moved to the secondary and back, and whether that is a failure.</summary>
public sealed record DnsMove(double? MovedAfterMs, double? BackAfterMs, string Note, bool Failed);

/// <summary>Reads the movement of a failover answer out of the drill's DNS observations.</summary>
public static class DnsMovement
{
    /// <summary>
    /// The answer moved when it first names the secondary after t0 (time from t0), and came back
    /// when, after that, it first no longer names it (time from t1). Not coming back is a failure;
    /// not moving at all is a failure only when the outage lasted longer than the health check
    /// needs to see it (interval × threshold), and a note otherwise.
    /// </summary>
    public static DnsMove Describe(IReadOnlyList<DnsObservation> observations, DnsWatch watch, double t0, double t1, double outageMs)
    {
        var ordered = observations.OrderBy(o => o.AtMs).ToList();
        var before = ordered.LastOrDefault(o => o.AtMs < t0)?.Answer ?? ordered.FirstOrDefault()?.Answer ?? "no answer";
        var moved = ordered.FirstOrDefault(o => o.AtMs >= t0 && Names(o.Answer, watch.Secondary));
        if (moved is null)
        {
            var late = outageMs < watch.DetectMs;
            return new DnsMove(null, null,
                $"DNS {watch.Name}: stayed {before} (its health check needs {watch.DetectMs / 1000.0:0.#} s to fail, the outage lasted {outageMs / 1000.0:0.#} s)",
                Failed: !late);
        }

        var back = ordered.FirstOrDefault(o => o.AtMs > moved.AtMs && o.AtMs >= t1 && !Names(o.Answer, watch.Secondary));
        var movedAfter = moved.AtMs - t0;
        if (back is null)
        {
            return new DnsMove(movedAfter, null,
                $"DNS {watch.Name}: {before} → {moved.Answer} after {Seconds(movedAfter)}, and not back after the restore",
                Failed: true);
        }

        var backAfter = back.AtMs - t1;
        return new DnsMove(movedAfter, backAfter,
            $"DNS {watch.Name}: {before} → {moved.Answer} after {Seconds(movedAfter)}, back to {back.Answer} {Seconds(backAfter)} after the restore",
            Failed: false);
    }

    /// <summary>True once the answer names the secondary again, so the drill can stop waiting for it.</summary>
    public static bool MovedAndBack(IReadOnlyList<DnsObservation> observations, DnsWatch watch, double t0, double t1)
    {
        var moved = observations.FirstOrDefault(o => o.AtMs >= t0 && Names(o.Answer, watch.Secondary));
        return moved is null || observations.Any(o => o.AtMs > moved.AtMs && o.AtMs >= t1 && !Names(o.Answer, watch.Secondary));
    }

    private static bool Names(string answer, string address) =>
        answer.Split(',', StringSplitOptions.TrimEntries).Contains(address, StringComparer.Ordinal);

    private static string Seconds(double ms) => $"{ms / 1000.0:0.0} s";
}

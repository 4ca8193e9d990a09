namespace Tandem.Drill;

/// <summary>The times of one scenario on the drill's clock (milliseconds since the load started).</summary>
/// <param name="StartMs">Start of the scenario's baseline.</param>
/// <param name="InjectMs">When the fault was injected (t0); null when it never was.</param>
/// <param name="RestoreMs">When the restore began (t1); null when nothing was injected.</param>
/// <param name="EndMs">End of the scenario: recovery seen, or its bound passed.</param>
public sealed record DrillWindow(double StartMs, double? InjectMs, double? RestoreMs, double EndMs);

/// <summary>What visitors saw during one scenario.</summary>
/// <param name="OutageErrorPages">Uncached requests sent during the outage (t0 to t1) that got the site's error page.</param>
/// <param name="OutageCacheHits">Requests for cached paths sent during the outage that the edge answered from its cache (X-Cache Hit or Stale) with their normal status.</param>
public sealed record DrillMeasures(long Requests, long Errors, double? FailoverMs, double? RecoveryMs, double SlowestMs, IReadOnlyList<string> ErrorSummary, long OutageErrorPages = 0, long OutageCacheHits = 0);

/// <summary>
/// Turns the recorded responses of a scenario into its figures. Plain code over plain samples,
/// so every rule is tested without sockets; the runner uses the same rules while it waits.
/// </summary>
public static class DrillMeasure
{
    /// <summary>
    /// Why a response is a visitor-visible error, or null when it is not. Normally: no response,
    /// any 5xx, or a status other than the path's status before the fault. With both origins down,
    /// cached paths must keep their status, and uncached requests may instead get the site's own
    /// error page (whatever its status): only other outcomes are errors.
    /// </summary>
    public static string? ErrorOf(DrillSample sample, bool bothDown)
    {
        if (sample.Failure is not null || sample.Status is not { } status)
        {
            return $"no response ({sample.Failure ?? "none"})";
        }

        if (bothDown && sample.Uncached)
        {
            return status == sample.ExpectedStatus || sample.ErrorPage ? null : $"{status} without the site's error page";
        }

        if (status != sample.ExpectedStatus)
        {
            return $"{status} instead of {sample.ExpectedStatus}";
        }

        return status >= 500 ? $"{status}" : null;
    }

    /// <summary>Milliseconds from t0 until the first uncached response (sent before t1) that another origin than the primary served (not from the cache); null if none.</summary>
    public static double? FailoverMs(IEnumerable<DrillSample> samples, double t0, double? t1, string primary)
    {
        double? first = null;
        foreach (var s in samples)
        {
            if (s.Uncached && s.CompletedMs >= t0 && (t1 is null || s.SentMs < t1) && IsGood(s)
                && s.Origin is { Length: > 0 } origin && origin != primary && (first is null || s.CompletedMs < first))
            {
                first = s.CompletedMs;
            }
        }

        return first - t0;
    }

    /// <summary>Milliseconds from <paramref name="since"/> until the first uncached response sent after it that the primary served well; null if none.</summary>
    public static double? PrimaryServingMs(IEnumerable<DrillSample> samples, double since, string primary)
    {
        double? first = null;
        foreach (var s in samples)
        {
            if (s.Uncached && s.SentMs >= since && IsGood(s) && s.Origin == primary && (first is null || s.CompletedMs < first))
            {
                first = s.CompletedMs;
            }
        }

        return first - since;
    }

    /// <summary>The scenario's figures from every sample sent within its window.</summary>
    public static DrillMeasures Measure(IEnumerable<DrillSample> samples, DrillWindow window, string primary, bool bothDown)
    {
        var within = samples.Where(s => s.SentMs >= window.StartMs && s.SentMs < window.EndMs).ToList();
        var errors = within.Select(s => (Sample: s, Why: ErrorOf(s, bothDown))).Where(e => e.Why is not null).ToList();
        var summary = errors
            .GroupBy(e => $"{(e.Sample.Uncached ? "uncached " : "")}{e.Sample.Path}: {e.Why}", StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .Take(3)
            .Select(g => $"{g.Count()} × {g.Key}")
            .ToList();
        double? failover = window.InjectMs is { } t0 && !bothDown ? FailoverMs(within, t0, window.RestoreMs, primary) : null;
        double? recovery = window.RestoreMs is { } t1 ? PrimaryServingMs(within, t1, primary) : null;
        var outage = window.InjectMs is { } from && window.RestoreMs is { } to ? within.Where(s => s.SentMs >= from && s.SentMs < to).ToList() : [];
        return new DrillMeasures(within.Count, errors.Count, failover, recovery, within.Count == 0 ? 0 : within.Max(s => s.LatencyMs), summary,
            outage.Count(s => s.Uncached && s.ErrorPage),
            outage.Count(s => !s.Uncached && FromCache(s) && s.Status == s.ExpectedStatus));
    }

    /// <summary>True when the edge answered from its cache without asking an origin: X-Cache Hit, or Stale (kept past its age because the origins failed).</summary>
    public static bool FromCache(DrillSample s) => s.Cache is "Hit" or "Stale";

    /// <summary>
    /// A normal answer fetched from an origin now: one the edge answered from its cache names the
    /// origin that stored it, not the one serving, so it says nothing about failover or recovery.
    /// </summary>
    private static bool IsGood(DrillSample s) => s.Failure is null && s.Status == s.ExpectedStatus && s.Status < 500 && !FromCache(s);
}

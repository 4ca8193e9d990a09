namespace Tandem.Stack.Status;

/// <summary>
/// What makes <c>tandem status</c> exit 1: a node down (process not running, or not answering),
/// an origin unhealthy as an edge sees it, a DNS health check failing, origins whose live
/// releases differ or cannot be read, or an edge serving another release than the origins.
/// A failed last drill is history, not a current fault, so it does not count.
/// </summary>
public static class StatusProblems
{
    public static List<string> Find(IReadOnlyList<OriginReport> origins, IReadOnlyList<EdgeReport> edges, IReadOnlyList<DnsReport> dns, ReleaseReport releases)
    {
        var problems = new List<string>();
        foreach (var o in origins)
        {
            if (o.Process is { Running: false } p)
            {
                problems.Add($"origin {o.Name} is {p.State}");
            }

            foreach (var h in o.Health.Where(h => !h.Healthy))
            {
                problems.Add($"origin {o.Name} is unhealthy on {h.Edge}{(h.Detail is null ? "" : ": " + h.Detail)}");
            }

            if (o.LiveError is not null)
            {
                problems.Add($"origin {o.Name}: live release unreadable: {o.LiveError}");
            }
        }

        foreach (var e in edges)
        {
            if (e.Process is { Running: false } p)
            {
                problems.Add($"edge {e.Name} is {p.State}");
            }

            if (e.Error is not null)
            {
                problems.Add($"edge {e.Name} is down: {e.Error}");
            }
            else if (releases.InSync && e.Live != releases.Live)
            {
                problems.Add($"edge {e.Name} serves release {e.Live ?? "none"}, the origins have {releases.Live ?? "none"}");
            }
        }

        foreach (var d in dns)
        {
            if (d.Process is { Running: false } p)
            {
                problems.Add($"dns {d.Name} is {p.State}");
            }

            if (d.Error is not null)
            {
                problems.Add($"dns {d.Name} is down: {d.Error}");
            }

            foreach (var c in d.Checks.Where(c => !c.Healthy))
            {
                problems.Add($"dns {d.Name}: health check {c.Name} is down{(c.LastError is null ? "" : ": " + c.LastError)}");
            }
        }

        if (!releases.InSync)
        {
            problems.Add("origins' live releases differ: " + StatusRenderer.Drift(releases));
        }

        return problems;
    }
}

using System.Globalization;
using System.Text;
using Tandem.Core.Stack;

namespace Tandem.Stack.Status;

/// <summary>
/// The one screen of <c>tandem status</c>: plain text tables, one section per part (Origins,
/// Edges, DNS, Releases, Last drill) and the problems at the end. Pure: the same snapshot gives
/// the same text, so it is tested without servers.
/// </summary>
public static class StatusRenderer
{
    private const string NoneHealthy = "none healthy: serving from cache";

    public static string Render(StatusSnapshot s)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"tandem status  {Time(s.Taken)}  config {s.ConfigPath}\n");
        sb.Append(s.Stack is { } stack
            ? $"stack: tandem up pid {stack.SupervisorPid}, started {Time(stack.StartedAt)}\n"
            : $"stack: no tandem up running in {s.StateDir}: nodes shown from the config, without process state\n");

        sb.Append("\nOrigins\n");
        var origins = new Table("name", "region", "process", "health", "live release");
        foreach (var o in s.Origins)
        {
            origins.Add(o.Name, o.Region ?? "-", Process(o.Process), Health(o), o.LiveError is null ? o.Live ?? "none" : "unreadable: " + o.LiveError);
        }

        origins.WriteTo(sb, "  (none configured)");

        sb.Append("\nEdges\n");
        var edges = new Table("name", "url", "process", "serving from", "live release", "cache", "requests", "4xx", "5xx", "failovers");
        foreach (var e in s.Edges)
        {
            if (e.Error is not null)
            {
                edges.Add(e.Name, e.Url ?? "-", Process(e.Process), "down: " + e.Error);
                continue;
            }

            var cache = $"{e.CacheEntries ?? 0} entries, {Percent(e.HitRatio)} hit";
            var t = e.Traffic;
            edges.Add(
                e.Name,
                e.Url ?? "-",
                Process(e.Process),
                e.ServingFrom ?? NoneHealthy,
                e.Live ?? "none",
                cache,
                t is null ? "? (" + e.TrafficError + ")" : t.Requests.ToString(CultureInfo.InvariantCulture),
                t is null ? "-" : Percent(t.ClientErrorRate),
                t is null ? "-" : Percent(t.ServerErrorRate),
                t is null ? "-" : t.Failovers.ToString(CultureInfo.InvariantCulture));
        }

        edges.WriteTo(sb, "  (none configured)");

        if (s.Dns.Count > 0)
        {
            sb.Append("\nDNS\n");
            var dns = new Table("node", "url", "process", "health checks", "answers");
            foreach (var d in s.Dns)
            {
                if (d.Error is not null)
                {
                    dns.Add(d.Name, d.Url ?? "-", Process(d.Process), "down: " + d.Error);
                    continue;
                }

                var up = d.Checks.Count(c => c.Healthy);
                var down = d.Checks.Where(c => !c.Healthy).Select(c => c.Name).ToList();
                var checks = $"{up} up, {down.Count} down" + (down.Count > 0 ? $" ({string.Join(", ", down)})" : "");
                var answers = d.Answers.Count == 0 ? "-" : string.Join(", ", d.Answers.Select(a => $"{a.Record} -> {a.Target}: {a.Count}"));
                dns.Add(d.Name, d.Url ?? "-", Process(d.Process), checks, answers);
            }

            dns.WriteTo(sb, "");
        }

        sb.Append("\nReleases\n");
        sb.Append("  ").Append(s.Releases.InSync
            ? s.Releases.Live is { } live ? $"{live} live on every origin: in sync" : "no release live on any origin yet (run tandem deploy): in sync"
            : "DRIFT: " + Drift(s.Releases)).Append('\n');

        sb.Append("\nLast drill\n");
        WriteDrill(sb, s.LastDrill);

        sb.Append('\n');
        if (s.Problems.Count == 0)
        {
            sb.Append("OK: everything up, healthy and in sync\n");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"{s.Problems.Count} problem(s):\n");
            foreach (var p in s.Problems)
            {
                sb.Append("  - ").Append(p).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>"primary 0123456789ab, standby unreadable": each origin's live release.</summary>
    public static string Drift(ReleaseReport releases) =>
        string.Join(", ", releases.LiveByOrigin.Select(kv => $"{kv.Key} {kv.Value ?? "none/unreadable"}"));

    private static void WriteDrill(StringBuilder sb, DrillReport? drill)
    {
        if (drill is null)
        {
            sb.Append("  none yet (run tandem drill)\n");
            return;
        }

        sb.Append(CultureInfo.InvariantCulture, $"  {Time(drill.Finished)}: {(drill.Passed ? "passed" : "FAILED")}, {drill.Scenarios.Count} scenario(s) against {drill.Target}\n");
        foreach (var sc in drill.Scenarios)
        {
            var parts = new List<string> { sc.Passed ? "passed" : "FAILED", $"{sc.Errors}/{sc.Requests} errors" };
            if (sc.FailoverMs is { } f)
            {
                parts.Add($"failover {f:0} ms");
            }

            if (sc.RecoveryMs is { } r)
            {
                parts.Add($"recovery {r:0} ms");
            }

            if (!sc.Passed && sc.Notes.Count > 0)
            {
                parts.Add(sc.Notes[0]);
            }

            sb.Append(CultureInfo.InvariantCulture, $"    {sc.Scenario}: {string.Join(", ", parts)}\n");
        }
    }

    private static string Health(OriginReport o)
    {
        if (o.Health.Count == 0)
        {
            return "unknown (no edge answered)";
        }

        if (o.Health.All(h => h.Healthy))
        {
            return "healthy";
        }

        return string.Join(", ", o.Health.Select(h => h.Healthy ? $"healthy on {h.Edge}" : $"UNHEALTHY on {h.Edge}" + (h.Detail is null ? "" : $" ({Short(h.Detail)})")));
    }

    private static string Process(NodeProcess? p)
    {
        if (p is null)
        {
            return "-";
        }

        var text = p.State + (p.Pid is { } pid ? $" pid {pid}" : "");
        return p.Restarts > 0 ? $"{text}, {p.Restarts} restart(s)" : text;
    }

    private static string Percent(double? ratio) => ratio is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Short(string text) => text.Length <= 60 ? text : text[..57] + "...";

    /// <summary>Columns padded to their widest cell; a row with fewer cells ends early (its last cell runs on).</summary>
    private sealed class Table(params string[] headers)
    {
        private readonly List<string[]> _rows = [];

        public void Add(params string[] cells) => _rows.Add(cells);

        public void WriteTo(StringBuilder sb, string empty)
        {
            if (_rows.Count == 0)
            {
                sb.Append(empty).Append('\n');
                return;
            }

            var widths = headers.Select(h => h.Length).ToArray();
            foreach (var row in _rows)
            {
                // The last cell of a short row runs on and does not widen its column.
                for (var i = 0; i < row.Length - (row.Length < headers.Length ? 1 : 0); i++)
                {
                    widths[i] = Math.Max(widths[i], row[i].Length);
                }
            }

            Line(sb, headers, widths);
            foreach (var row in _rows)
            {
                Line(sb, row, widths);
            }
        }

        private static void Line(StringBuilder sb, string[] cells, int[] widths)
        {
            sb.Append("  ");
            for (var i = 0; i < cells.Length; i++)
            {
                sb.Append(i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i] + 2));
            }

            sb.Append('\n');
        }
    }
}

using System.Text.Json;
using Tandem.Core.Stack;
using Tandem.Monitor.Alarms;
using Tandem.Monitor.Scraping;
using Tandem.Monitor.Store;

namespace Tandem.Monitor;

/// <summary>The read model over the store, the last scrapes and the alarms.</summary>
internal sealed class MonitorModel(MonitorOptions options, SeriesStore store, Scraper scraper, AlarmEngine alarms, TimeProvider time, Uri self) : IMonitorReadModel
{
    private const int DrillsShown = 10;

    public IReadOnlyList<MetricSeries> Query(string metric, string? node, DateTimeOffset from, DateTimeOffset to, TimeSpan step)
    {
        var ticks = Math.Max(step.Ticks, TimeSpan.FromMilliseconds(1).Ticks);
        return [.. store.Read(metric, node, from, to)
            .GroupBy(p => (p.Node, p.Point.Labels))
            .OrderBy(g => g.Key.Node, StringComparer.Ordinal).ThenBy(g => g.Key.Labels, StringComparer.Ordinal)
            .Select(g => new MetricSeries(metric, g.Key.Node.Length == 0 ? null : g.Key.Node, SeriesStore.ParseLabels(g.Key.Labels),
                [.. g.GroupBy(p => (p.Point.At - from).Ticks / ticks)
                    .Select(b => new MetricPoint(from + TimeSpan.FromTicks(b.Key * ticks), b.Average(p => p.Point.Value)))]))];
    }

    public MonitorSnapshot Current()
    {
        var last = scraper.Last;
        var nodes = new List<NodeState> { new("monitor", options.Name, self.ToString().TrimEnd('/'), true, null) };
        nodes.AddRange(last.Select(r => new NodeState(r.Target.Role, r.Target.Name, r.Target.Url.ToString(), r.Error is null, r.Error)));

        var groups = new List<OriginGroupState>();
        var releases = new Dictionary<string, string?>(StringComparer.Ordinal);
        var certificates = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var edge in last.Where(r => r.Target.Role == "edge"))
        {
            var samples = edge.Error is null ? edge.Samples ?? [] : [];
            releases[edge.Target.Name] = samples.FirstOrDefault(s => s.Name == MetricDerivation.EdgeRelease)?.Label("release");
            certificates[edge.Target.Name] = MetricDerivation.Gauges(edge.Target.Name, [samples], 0)
                .Where(p => p.Metric == MonitorMetrics.CertificateExpiryDays).Select(p => (double?)p.Value).Min();
            var healthy = samples.Where(s => s.Name == MetricDerivation.EdgeOriginHealthy)
                .ToDictionary(s => s.Label("origin") ?? "", s => s.Value >= 1, StringComparer.Ordinal);
            foreach (var (group, origins) in options.OriginGroups)
            {
                var views = origins.Select(o => new OriginView(o, options.Regions.GetValueOrDefault(o), healthy.GetValueOrDefault(o))).ToList();
                groups.Add(new OriginGroupState(edge.Target.Name, group, views, views.FirstOrDefault(v => v.Healthy)?.Name));
            }
        }

        return new MonitorSnapshot
        {
            Taken = time.GetUtcNow(),
            LastScrape = scraper.LastRound,
            ScrapeInterval = options.ScrapeInterval,
            Nodes = nodes,
            OriginGroups = groups,
            Alarms = [.. alarms.Statuses.Select(View)],
            LiveRelease = releases,
            CertificateExpiryDays = certificates,
            Drills = Drills(),
        };
    }

    public static AlarmView View(AlarmStatus s) =>
        new(s.Definition.Name, s.Definition.Config.Metric, s.State, s.Reason, s.Since, s.Definition.Config.Description);

    private List<DrillReport> Drills()
    {
        var folder = options.StateDir is { } dir ? Path.Combine(dir, DrillReport.FolderName) : null;
        if (folder is null || !Directory.Exists(folder))
        {
            return [];
        }

        var reports = new List<DrillReport>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").OrderDescending(StringComparer.Ordinal).Take(DrillsShown))
        {
            try
            {
                if (JsonSerializer.Deserialize<DrillReport>(File.ReadAllBytes(file), StackFile.Json) is { } report)
                {
                    reports.Add(report);
                }
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
            }
        }

        return reports;
    }
}

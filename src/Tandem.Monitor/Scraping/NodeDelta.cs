using Tandem.Core.Metrics;

namespace Tandem.Monitor.Scraping;

/// <summary>
/// How much every counter series of one node grew between two scrapes, reset-safe: a series that
/// went down was restarted (a process restart starts counters at 0), so its growth is its new
/// value, as Prometheus's rate() treats a reset.
/// </summary>
public sealed class NodeDelta
{
    private readonly List<PrometheusSample> _growth;

    private NodeDelta(List<PrometheusSample> growth, double seconds)
    {
        _growth = growth;
        Seconds = seconds;
    }

    /// <summary>Seconds between the two scrapes.</summary>
    public double Seconds { get; }

    /// <summary>The growth of each series, as samples with the growth as value.</summary>
    public IReadOnlyList<PrometheusSample> Growth => _growth;

    /// <summary>
    /// The growth from <paramref name="previous"/> to <paramref name="current"/>, <paramref name="seconds"/>
    /// apart. A series not in <paramref name="previous"/> appeared since, so all of its value is growth.
    /// </summary>
    public static NodeDelta Between(IReadOnlyList<PrometheusSample> previous, IReadOnlyList<PrometheusSample> current, double seconds)
    {
        var before = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var s in previous)
        {
            before[Key(s)] = s.Value;
        }

        var growth = new List<PrometheusSample>(current.Count);
        foreach (var s in current)
        {
            var grew = before.TryGetValue(Key(s), out var old) && s.Value >= old ? s.Value - old : s.Value;
            growth.Add(s with { Value = grew });
        }

        return new NodeDelta(growth, seconds);
    }

    /// <summary>Summed growth of <paramref name="name"/> over the series whose labels match.</summary>
    public double Sum(string name, Func<PrometheusSample, bool>? match = null) =>
        _growth.Where(s => s.Name == name && (match is null || match(s))).Sum(s => s.Value);

    internal static string Key(PrometheusSample s) =>
        s.Name + "{" + string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
}

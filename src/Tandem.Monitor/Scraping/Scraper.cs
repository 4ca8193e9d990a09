using System.Diagnostics.Metrics;
using Tandem.Core.Metrics;
using Tandem.Monitor.Store;

namespace Tandem.Monitor.Scraping;

/// <summary>The last scrape of one node.</summary>
public sealed record ScrapeResult(ScrapeTarget Target, DateTimeOffset At, IReadOnlyList<PrometheusSample>? Samples, string? Error);

/// <summary>
/// One scrape round: fetches every target's Prometheus text at once, turns the growth since the
/// previous round into points (per node and in total) and stores them. Keeps only the last
/// samples of each node in memory.
/// </summary>
public sealed class Scraper
{
    private readonly HttpClient _http;
    private readonly IReadOnlyList<ScrapeTarget> _targets;
    private readonly SeriesStore _store;
    private readonly TimeSpan _timeout;
    private readonly Counter<long>? _scrapes;
    private readonly Dictionary<ScrapeTarget, ScrapeResult> _last = [];
    private readonly Lock _gate = new();

    public Scraper(HttpClient http, IReadOnlyList<ScrapeTarget> targets, SeriesStore store, TimeSpan timeout, Meter? meter = null)
    {
        _http = http;
        _targets = targets;
        _store = store;
        _timeout = timeout;
        _scrapes = meter?.CreateCounter<long>("tandem_monitor_scrapes_total", description: "Scrapes of other nodes, by node and result (ok or error).");
    }

    /// <summary>The last result of every target, in target order.</summary>
    public IReadOnlyList<ScrapeResult> Last
    {
        get
        {
            lock (_gate)
            {
                return [.. _targets.Where(_last.ContainsKey).Select(t => _last[t])];
            }
        }
    }

    /// <summary>When the last round finished; null before the first.</summary>
    public DateTimeOffset? LastRound { get; private set; }

    /// <summary>Scrapes every target and stores the points derived at <paramref name="now"/>.</summary>
    public async Task<IReadOnlyList<DerivedPoint>> RoundAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(_targets.Select(t => FetchAsync(t, now, cancellationToken)));
        var edgeDeltas = new List<NodeDelta>();
        var dnsDeltas = new List<NodeDelta>();
        var points = new List<DerivedPoint>();
        var edgeSamples = new List<IReadOnlyList<PrometheusSample>>();
        double span;
        lock (_gate)
        {
            span = LastRound is { } last ? (now - last).TotalSeconds : 0;
            foreach (var result in results)
            {
                _scrapes?.Add(1, new KeyValuePair<string, object?>("node", result.Target.Name), new KeyValuePair<string, object?>("result", result.Samples is null ? "error" : "ok"));
                var previous = _last.GetValueOrDefault(result.Target);
                if (result.Samples is null)
                {
                    // Keep the last good samples, so the growth after the node is back is measured from them.
                    _last[result.Target] = new ScrapeResult(result.Target, previous?.At ?? result.At, previous?.Samples, result.Error);
                    continue;
                }

                _last[result.Target] = result;
                if (result.Target.Role == "edge")
                {
                    edgeSamples.Add(result.Samples);
                    points.AddRange(MetricDerivation.Gauges(result.Target.Name, [result.Samples], span));
                }

                if (previous?.Samples is null)
                {
                    continue;
                }

                var delta = NodeDelta.Between(previous.Samples, result.Samples, (result.At - previous.At).TotalSeconds);
                if (result.Target.Role == "edge")
                {
                    edgeDeltas.Add(delta);
                    points.AddRange(MetricDerivation.Edge(result.Target.Name, [delta]));
                }
                else if (result.Target.Role == "dns")
                {
                    dnsDeltas.Add(delta);
                    points.AddRange(MetricDerivation.Dns(result.Target.Name, [delta]));
                }
            }

            LastRound = now;
        }

        points.AddRange(MetricDerivation.Edge(null, edgeDeltas));
        points.AddRange(MetricDerivation.Dns(null, dnsDeltas));
        if (edgeSamples.Count > 0)
        {
            points.AddRange(MetricDerivation.Gauges(null, edgeSamples, span));
        }

        _store.Add(points, now);
        return points;
    }

    private async Task<ScrapeResult> FetchAsync(ScrapeTarget target, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var response = await _http.GetAsync(target.Url, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new ScrapeResult(target, now, null, $"{target.Url} answered {(int)response.StatusCode}");
            }

            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            return new ScrapeResult(target, now, [.. PrometheusText.Parse(text)], null);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ScrapeResult(target, now, null, ex is OperationCanceledException ? $"{target.Url} did not answer within {_timeout.TotalSeconds:0.#} s" : $"{target.Url}: {ex.Message}");
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Tandem.Edge.Origins;

/// <summary>
/// Origin instruments on the "Tandem.Edge" meter, named as they appear in Prometheus text:
/// <c>tandem_edge_origin_requests_total{origin,outcome}</c>, <c>tandem_edge_failovers_total{origin}</c>,
/// <c>tandem_edge_origin_latency_seconds{origin}</c> (histogram), <c>tandem_edge_origin_healthy{origin}</c>
/// (gauge, 1 or 0) and <c>tandem_edge_origin_health_transitions_total{origin}</c>.
/// </summary>
/// <remarks>
/// Each instance has its own <see cref="Meter"/> (from the <see cref="IMeterFactory"/> when one
/// is given, which scopes it to that service provider). Two edges in one process, as in the
/// functional tests, therefore never add into each other's counters; an exporter listens to
/// this instance's <see cref="Meter"/>, not to every meter of that name.
/// </remarks>
public sealed class OriginMetrics : IDisposable
{
    public const string MeterName = EdgeAssembly.MeterName;

    // From 1 ms (a LAN origin) to the longest response timeout worth having.
    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _failovers;
    private readonly Histogram<double> _latency;
    private readonly ConcurrentDictionary<string, OriginHealth> _origins = new(StringComparer.Ordinal);

    /// <param name="meterFactory">Creates the meter when given (dependency injection); otherwise this instance makes and owns its own.</param>
    public OriginMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _requests = Meter.CreateCounter<long>("tandem_edge_origin_requests_total", description: "Requests sent to an origin, by outcome (ok, failover_status, connect_failure, connect_timeout, response_timeout, transport_error, abandoned)");
        _failovers = Meter.CreateCounter<long>("tandem_edge_failovers_total", description: "Requests that failed on this origin and were sent on to the next one");
        _latency = Meter.CreateHistogram("tandem_edge_origin_latency_seconds", unit: "s", description: "Time from sending a request to an origin until its response headers arrive",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        Meter.CreateObservableGauge("tandem_edge_origin_healthy", ObserveHealthy, description: "1 while the origin is healthy, 0 while requests skip it");
        Meter.CreateObservableCounter("tandem_edge_origin_health_transitions_total", ObserveTransitions, description: "Changes between healthy and unhealthy");
    }

    /// <summary>The meter the instruments live on; an exporter listens to this one.</summary>
    public Meter Meter { get; }

    /// <summary>Reports this origin's health on the gauges.</summary>
    public void Track(OriginRuntime origin) => _origins[origin.Name] = origin.Health;

    internal void RecordAttempt(OriginAttempt attempt)
    {
        var origin = new KeyValuePair<string, object?>("origin", attempt.Origin);
        _requests.Add(1, origin, new KeyValuePair<string, object?>("outcome", OriginAttempt.Label(attempt.Outcome)));

        // Latency is how long the origin took to answer; a timeout measures the timeout, not the origin.
        if (attempt.Status is not null)
        {
            _latency.Record(attempt.Elapsed.TotalSeconds, origin);
        }
    }

    internal void RecordFailover(string origin) => _failovers.Add(1, new KeyValuePair<string, object?>("origin", origin));

    private IEnumerable<Measurement<int>> ObserveHealthy()
    {
        foreach (var (name, health) in _origins)
        {
            yield return new Measurement<int>(health.IsHealthy ? 1 : 0, new KeyValuePair<string, object?>("origin", name));
        }
    }

    private IEnumerable<Measurement<long>> ObserveTransitions()
    {
        foreach (var (name, health) in _origins)
        {
            yield return new Measurement<long>(health.Transitions, new KeyValuePair<string, object?>("origin", name));
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }
}

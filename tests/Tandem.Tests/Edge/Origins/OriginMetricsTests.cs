using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Tandem.Edge.Origins;
using static Tandem.Tests.Edge.Origins.TestOrigins;

namespace Tandem.Tests.Edge.Origins;

public class OriginMetricsTests
{
    /// <summary>Collects every measurement of one <see cref="OriginMetrics"/> instance's meter, keyed by instrument and tags.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();

        public Recorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, _, tags, _) => Add(i, 1, tags));
            _listener.Start();
        }

        public ConcurrentDictionary<string, double> Values { get; } = new();

        public double this[string key] => Values.GetValueOrDefault(key);

        public void Observe() => _listener.RecordObservableInstruments();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = instrument.Name + "{" + string.Join(",", tags.ToArray().OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}")) + "}";
            if (instrument.IsObservable)
            {
                Values[key] = value;
            }
            else
            {
                Values.AddOrUpdate(key, value, (_, old) => old + value);
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task FetchAsync_PrimaryFailsOver_CountsAttemptsFailoverLatencyAndHealth()
    {
        await using var pair = await OriginPair.StartAsync(503, "primary down");
        using var metrics = new OriginMetrics();
        metrics.Track(pair.P);
        metrics.Track(pair.S);
        using var recorder = new Recorder(metrics.Meter);
        var fetcher = new OriginGroupFetcher(metrics);
        var group = pair.Group();

        (await fetcher.FetchAsync(group, Get())).Dispose();
        (await fetcher.FetchAsync(group, Get())).Dispose();
        recorder.Observe();

        Assert.Equal(2, recorder["tandem_edge_origin_requests_total{origin=primary,outcome=failover_status}"]);
        Assert.Equal(2, recorder["tandem_edge_origin_requests_total{origin=standby,outcome=ok}"]);
        Assert.Equal(2, recorder["tandem_edge_failovers_total{origin=primary}"]);
        Assert.Equal(0, recorder["tandem_edge_failovers_total{origin=standby}"]);
        Assert.Equal(2, recorder["tandem_edge_origin_latency_seconds{origin=primary}"]);
        Assert.Equal(0, recorder["tandem_edge_origin_healthy{origin=primary}"]);
        Assert.Equal(1, recorder["tandem_edge_origin_healthy{origin=standby}"]);
        Assert.Equal(1, recorder["tandem_edge_origin_health_transitions_total{origin=primary}"]);
    }

    [Fact]
    public async Task OriginMetrics_TwoInstances_DoNotMix()
    {
        using var p = Runtime("primary", RefusedAddress());
        using var first = new OriginMetrics();
        using var second = new OriginMetrics();
        using var firstRecorder = new Recorder(first.Meter);
        using var secondRecorder = new Recorder(second.Meter);

        (await new OriginGroupFetcher(first).FetchAsync(OriginGroupRuntime.Single(p), Get())).Dispose();

        Assert.Equal(1, firstRecorder["tandem_edge_origin_requests_total{origin=primary,outcome=connect_failure}"]);
        Assert.Empty(secondRecorder.Values);
    }
}

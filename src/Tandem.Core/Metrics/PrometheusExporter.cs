using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Tandem.Core.Metrics;

/// <summary>
/// Writes the instruments of one <see cref="Meter"/> in the Prometheus text exposition format
/// (version 0.0.4). Every Tandem node gives its own Meter instance to one exporter and serves
/// <see cref="Write"/> at /metrics.
/// </summary>
/// <remarks>
/// Written by hand because the field's options don't fit: OpenTelemetry's Prometheus exporter
/// is served only as a beta, and prometheus-net's MeterAdapter listens process-wide by meter
/// name, so two nodes in one process (the functional tests, `tandem up`) would mix their series.
/// This listens to one Meter instance only. Counters and up-down counters are summed per tag
/// set, histograms keep cumulative buckets, observable gauges are read at scrape time.
/// Instrument names are used as metric names (use snake_case names such as
/// "tandem_edge_requests_total"); the instrument description becomes HELP.
/// </remarks>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Default histogram buckets, in seconds: from 0.5 ms to 30 s.</summary>
    public static readonly double[] DefaultBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Meter _meter;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();

    public PrometheusExporter(Meter meter)
    {
        _meter = meter;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, _meter))
                {
                    _families[instrument] = new Family(instrument);
                    listener.EnableMeasurementEvents(instrument, _families[instrument]);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, state) => ((Family)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, state) => ((Family)state!).Record(v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, state) => ((Family)state!).Record(v, tags));
        _listener.Start();
    }

    /// <summary>The content type Prometheus expects for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes every series of the meter.</summary>
    public string Write()
    {
        // Observable instruments report when asked.
        foreach (var family in _families.Values)
        {
            if (family.IsObservable)
            {
                family.ResetObserved();
            }
        }

        _listener.RecordObservableInstruments();
        var sb = new StringBuilder(4096);
        foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            family.WriteTo(sb);
        }

        return sb.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Family(Instrument instrument)
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<TagKey, Series> _byTags = new();
        private const int MaxRemembered = 4096;

        public string Name { get; } = instrument.Name;

        public bool IsObservable { get; } = instrument.IsObservable;

        private readonly string _type = instrument switch
        {
            Histogram<double> or Histogram<long> or Histogram<int> => "histogram",
            Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<double> or ObservableCounter<int> => "counter",
            _ => "gauge",
        };

        private string Type => _type;

        public void ResetObserved() => _series.Clear();

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var series = Find(tags);
            if (Type == "histogram")
            {
                series.Observe(value);
            }
            else if (IsObservable)
            {
                series.Set(value);
            }
            else
            {
                series.Add(value);
            }
        }

        public void WriteTo(StringBuilder sb)
        {
            if (_series.IsEmpty)
            {
                return;
            }

            var help = string.IsNullOrEmpty(instrument.Description) ? instrument.Name : instrument.Description;
            sb.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(help)).Append('\n');
            sb.Append("# TYPE ").Append(Name).Append(' ').Append(Type).Append('\n');
            foreach (var series in _series.Values.OrderBy(s => s.Labels, StringComparer.Ordinal))
            {
                series.WriteTo(sb, Name);
            }
        }

        /// <summary>
        /// The series for these tags. A request records several measurements; building the label
        /// text (sorted, escaped) for each was most of what metrics cost a cache hit, so the series
        /// of each tag combination seen is kept by the tags themselves. Observable instruments
        /// are cleared before each scrape and recorded rarely: they take the plain way.
        /// </summary>
        private Series Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (IsObservable || tags.Length > TagKey.Max)
            {
                return _series.GetOrAdd(Labels(tags), static (l, type) => new Series(l, type == "histogram"), Type);
            }

            var key = new TagKey(tags);
            if (_byTags.TryGetValue(key, out var known))
            {
                return known;
            }

            var series = _series.GetOrAdd(Labels(tags), static (l, type) => new Series(l, type == "histogram"), Type);
            if (_byTags.Count < MaxRemembered)
            {
                _byTags.TryAdd(key, series);
            }

            return series;
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return "";
            }

            var pairs = new List<KeyValuePair<string, object?>>(tags.Length);
            foreach (var t in tags)
            {
                pairs.Add(t);
            }

            pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            var sb = new StringBuilder();
            foreach (var (k, v) in pairs)
            {
                sb.Append(sb.Length == 0 ? "" : ",").Append(k).Append("=\"").Append(EscapeLabel(Convert.ToString(v, CultureInfo.InvariantCulture) ?? "")).Append('"');
            }

            return sb.ToString();
        }
    }

    private sealed class Series(string labels, bool histogram)
    {
        private readonly object _gate = new();
        private readonly long[]? _buckets = histogram ? new long[DefaultBuckets.Length] : null;
        private double _value;
        private long _count;

        public string Labels { get; } = labels;

        public void Add(double v)
        {
            lock (_gate)
            {
                _value += v;
            }
        }

        public void Set(double v)
        {
            lock (_gate)
            {
                _value = v;
            }
        }

        public void Observe(double v)
        {
            lock (_gate)
            {
                _value += v;
                _count++;
                for (var i = 0; i < DefaultBuckets.Length; i++)
                {
                    if (v <= DefaultBuckets[i])
                    {
                        _buckets![i]++;
                        break;
                    }
                }
            }
        }

        public void WriteTo(StringBuilder sb, string name)
        {
            lock (_gate)
            {
                if (_buckets is null)
                {
                    Line(sb, name, Labels, _value);
                    return;
                }

                long cumulative = 0;
                for (var i = 0; i < DefaultBuckets.Length; i++)
                {
                    cumulative += _buckets[i];
                    Line(sb, name + "_bucket", Join(Labels, $"le=\"{Format(DefaultBuckets[i])}\""), cumulative);
                }

                Line(sb, name + "_bucket", Join(Labels, "le=\"+Inf\""), _count);
                Line(sb, name + "_sum", Labels, _value);
                Line(sb, name + "_count", Labels, _count);
            }
        }

        private static string Join(string a, string b) => a.Length == 0 ? b : a + "," + b;

        private static void Line(StringBuilder sb, string name, string labels, double value)
        {
            sb.Append(name);
            if (labels.Length > 0)
            {
                sb.Append('{').Append(labels).Append('}');
            }

            sb.Append(' ').Append(Format(value)).Append('\n');
        }
    }

    private static string Format(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeLabel(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>Up to four tags as given (names and values compared by value), to find a series without building its label text.</summary>
internal readonly struct TagKey : IEquatable<TagKey>
{
    public const int Max = 4;
    private readonly int _count;
    private readonly KeyValuePair<string, object?> _t0, _t1, _t2, _t3;

    public TagKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        _count = tags.Length;
        _t0 = tags.Length > 0 ? tags[0] : default;
        _t1 = tags.Length > 1 ? tags[1] : default;
        _t2 = tags.Length > 2 ? tags[2] : default;
        _t3 = tags.Length > 3 ? tags[3] : default;
    }

    public bool Equals(TagKey other) =>
        _count == other._count && Same(_t0, other._t0) && Same(_t1, other._t1) && Same(_t2, other._t2) && Same(_t3, other._t3);

    public override bool Equals(object? obj) => obj is TagKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_count, Hash(_t0), Hash(_t1), Hash(_t2), Hash(_t3));

    private static bool Same(KeyValuePair<string, object?> a, KeyValuePair<string, object?> b) =>
        string.Equals(a.Key, b.Key, StringComparison.Ordinal) && Equals(a.Value, b.Value);

    private static int Hash(KeyValuePair<string, object?> t) => HashCode.Combine(t.Key is null ? 0 : StringComparer.Ordinal.GetHashCode(t.Key), t.Value?.GetHashCode() ?? 0);
}

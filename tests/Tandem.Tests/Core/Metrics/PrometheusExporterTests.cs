using System.Diagnostics.Metrics;
using Tandem.Core.Metrics;

namespace Tandem.Tests.Core.Metrics;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Write_CountersAndHistograms_UsesTextFormatWithSortedLabels()
    {
        using var meter = new Meter("test." + Guid.NewGuid());
        using var exporter = new PrometheusExporter(meter);
        var requests = meter.CreateCounter<long>("tandem_test_requests_total", description: "Requests served.");
        var latency = meter.CreateHistogram<double>("tandem_test_latency_seconds", description: "Latency.");
        requests.Add(2, new("status", "200"), new("origin", "primary"));
        requests.Add(3, new("origin", "primary"), new("status", "200"));
        requests.Add(1, new("origin", "standby"), new("status", "503"));
        latency.Record(0.002);
        latency.Record(0.2);

        var text = exporter.Write();

        Assert.Contains("# HELP tandem_test_requests_total Requests served.\n# TYPE tandem_test_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("tandem_test_requests_total{origin=\"primary\",status=\"200\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("tandem_test_requests_total{origin=\"standby\",status=\"503\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE tandem_test_latency_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("tandem_test_latency_seconds_bucket{le=\"0.001\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("tandem_test_latency_seconds_bucket{le=\"0.0025\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("tandem_test_latency_seconds_bucket{le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("tandem_test_latency_seconds_count 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ObservableGauge_ReadsCurrentValueAtScrapeTime()
    {
        using var meter = new Meter("test." + Guid.NewGuid());
        using var exporter = new PrometheusExporter(meter);
        var healthy = 1;
        meter.CreateObservableGauge("tandem_test_healthy", () => new Measurement<int>(healthy, new KeyValuePair<string, object?>("origin", "pri\"mary")));

        var first = exporter.Write();
        healthy = 0;
        var second = exporter.Write();

        Assert.Contains("tandem_test_healthy{origin=\"pri\\\"mary\"} 1\n", first, StringComparison.Ordinal);
        Assert.Contains("tandem_test_healthy{origin=\"pri\\\"mary\"} 0\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OtherMeterWithSameName_IsNotMixedIn()
    {
        using var mine = new Meter("Tandem.Edge");
        using var other = new Meter("Tandem.Edge");
        using var exporter = new PrometheusExporter(mine);
        mine.CreateCounter<long>("tandem_test_total").Add(1);
        other.CreateCounter<long>("tandem_test_total").Add(100);

        var text = exporter.Write();

        Assert.Contains("tandem_test_total 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("100", text, StringComparison.Ordinal);
    }
}

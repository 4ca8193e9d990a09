using Tandem.Core.Metrics;
using Tandem.Monitor;
using Tandem.Monitor.Scraping;

namespace Tandem.Tests.Monitor;

public sealed class MetricDerivationTests
{
    private static List<PrometheusSample> Parse(string text) => [.. PrometheusText.Parse(text)];

    [Fact]
    public void Growth_IsResetSafe_AndCountsNewSeries()
    {
        var before = Parse("""
            tandem_edge_requests_total{cache="Hit",status="2xx"} 100
            tandem_edge_requests_total{cache="Miss",status="5xx"} 40
            """);
        var after = Parse("""
            tandem_edge_requests_total{cache="Hit",status="2xx"} 130
            tandem_edge_requests_total{cache="Miss",status="5xx"} 3
            tandem_edge_requests_total{cache="Miss",status="2xx"} 7
            """);
        var delta = NodeDelta.Between(before, after, 10);

        // 30 more hits; the 5xx counter went down (a restart), so 3 is its growth; 7 new.
        Assert.Equal(40, delta.Sum(MetricDerivation.EdgeRequests));
        Assert.Equal(3, delta.Sum(MetricDerivation.EdgeRequests, s => s.Label("status") == "5xx"));
    }

    [Fact]
    public void Edge_GivesCloudFrontsMetrics_PerEdgeAndInTotal()
    {
        var before = Parse("""
            tandem_edge_requests_total{cache="Hit",status="2xx"} 0
            tandem_edge_response_bytes_total 0
            tandem_edge_failovers_total{origin="primary"} 0
            """);
        var after = Parse("""
            tandem_edge_requests_total{cache="Hit",status="2xx"} 60
            tandem_edge_requests_total{cache="Miss",status="2xx"} 20
            tandem_edge_requests_total{cache="Error",status="5xx"} 15
            tandem_edge_requests_total{cache="Error",status="4xx"} 5
            tandem_edge_response_bytes_total 5000
            tandem_edge_failovers_total{origin="primary"} 4
            tandem_edge_origin_latency_seconds_bucket{origin="primary",le="0.01"} 10
            tandem_edge_origin_latency_seconds_bucket{origin="primary",le="0.1"} 20
            tandem_edge_origin_latency_seconds_bucket{origin="primary",le="+Inf"} 20
            """);
        var d = NodeDelta.Between(before, after, 10);
        var points = MetricDerivation.Edge("edge-1", [d]).ToDictionary(p => p.Metric + p.Labels, p => p.Value);

        Assert.Equal(10, points[MonitorMetrics.Requests]);
        Assert.Equal(500, points[MonitorMetrics.BytesDownloaded]);
        Assert.Equal(15, points[MonitorMetrics.ErrorRate5xx]);
        Assert.Equal(5, points[MonitorMetrics.ErrorRate4xx]);
        Assert.Equal(20, points[MonitorMetrics.TotalErrorRate]);
        Assert.Equal(75, points[MonitorMetrics.CacheHitRate]);
        Assert.Equal(0.4, points[MonitorMetrics.Failovers + "origin=primary"], 9);
        Assert.Equal(10, points[MonitorMetrics.OriginLatencyP50], 9);
        Assert.Equal(82, points[MonitorMetrics.OriginLatencyP90], 9);

        // Rank 19.8 of 20 lies 9.8 of the way through the 10 observations between 10 ms and 100 ms.
        Assert.Equal(98.2, points[MonitorMetrics.OriginLatencyP99], 9);

        // Two edges: rates add up, percentages come from the summed counts.
        var quiet = NodeDelta.Between(before, before, 10);
        var total = MetricDerivation.Edge(null, [d, quiet]).ToDictionary(p => p.Metric + p.Labels, p => p);
        Assert.Null(total[MonitorMetrics.Requests].Node);
        Assert.Equal(10, total[MonitorMetrics.Requests].Value);
        Assert.Equal(15, total[MonitorMetrics.ErrorRate5xx].Value);
    }

    [Fact]
    public void Releases_CountsAReleaseMadeLiveSinceThePreviousScrape_PerEdge_AndTheTotalAddsTheEdgesUp()
    {
        var none = Parse("tandem_edge_requests_total{cache=\"Hit\",status=\"2xx\"} 5");
        var a = Parse("""
            tandem_edge_requests_total{cache="Hit",status="2xx"} 9
            tandem_edge_release_info{release="0123456789ab"} 1
            """);
        var b = Parse("""
            tandem_edge_requests_total{cache="Hit",status="2xx"} 12
            tandem_edge_release_info{release="ba9876543210"} 1
            """);
        double Releases(string? node, params NodeDelta[] deltas) =>
            MetricDerivation.Edge(node, deltas).Single(p => p.Metric == MonitorMetrics.Releases).Value;

        // The first release, a switch to another, and back again (a rollback) each count once.
        Assert.Equal(1, Releases("edge-1", NodeDelta.Between(none, a, 10)));
        Assert.Equal(1, Releases("edge-1", NodeDelta.Between(a, b, 10)));
        Assert.Equal(1, Releases("edge-1", NodeDelta.Between(b, a, 10)));

        // The same release, also across an edge restart (its counters reset), and no release at all: none.
        Assert.Equal(0, Releases("edge-1", NodeDelta.Between(a, a, 10)));
        var restarted = Parse("""
            tandem_edge_requests_total{cache="Hit",status="2xx"} 1
            tandem_edge_release_info{release="0123456789ab"} 1
            """);
        Assert.Equal(0, Releases("edge-1", NodeDelta.Between(a, restarted, 10)));
        Assert.Equal(0, Releases("edge-1", NodeDelta.Between(none, none, 10)));

        // Not a rate: Sum over a period is the number of releases made live in it.
        Assert.False(MetricDerivation.IsRate(MonitorMetrics.Releases));
        var total = Releases(null, NodeDelta.Between(none, a, 10), NodeDelta.Between(none, a, 10), NodeDelta.Between(a, a, 10));
        Assert.Equal(2, total);
    }

    [Fact]
    public void NoRequests_GivesNoErrorRate_RatherThanZeroOverZero()
    {
        var quiet = Parse("tandem_edge_requests_total{cache=\"Hit\",status=\"2xx\"} 5");
        var points = MetricDerivation.Edge("edge-1", [NodeDelta.Between(quiet, quiet, 10)]).Select(p => p.Metric).ToList();
        Assert.Contains(MonitorMetrics.Requests, points);
        Assert.DoesNotContain(MonitorMetrics.ErrorRate5xx, points);
        Assert.DoesNotContain(MonitorMetrics.OriginLatencyP50, points);
    }

    [Fact]
    public void Quantile_InterpolatesLikeHistogramQuantile()
    {
        Assert.Null(MetricDerivation.Quantile(0.5, []));
        Assert.Equal(0.05, MetricDerivation.Quantile(0.5, [(0.1, 10), (double.PositiveInfinity, 10)])!.Value, 9);
        Assert.Equal(1, MetricDerivation.Quantile(0.99, [(0.1, 1), (1, 2), (double.PositiveInfinity, 100)]));
    }

    [Fact]
    public void DnsAnswers_PerTarget_AndHealth_IsTheMinimumOverEdges()
    {
        var before = Parse("tandem_dns_answers_total{record=\"www A\",target=\"127.0.0.1\"} 10");
        var after = Parse("""
            tandem_dns_answers_total{record="www A",target="127.0.0.1"} 30
            tandem_dns_answers_total{record="@ A",target="127.0.0.1"} 10
            """);
        var dns = Assert.Single(MetricDerivation.Dns("ns1", [NodeDelta.Between(before, after, 10)]));
        Assert.Equal(("target=127.0.0.1", 3.0), (dns.Labels, dns.Value));

        var health = MetricDerivation.Gauges(null, [Parse("tandem_edge_origin_healthy{origin=\"primary\"} 1"), Parse("tandem_edge_origin_healthy{origin=\"primary\"} 0")], 2);
        Assert.Equal(0, Assert.Single(health).Value);
    }

    [Fact]
    public void CertificateExpiry_IsInDays_PerName_AndTheTotalIsTheSoonestOverEdges()
    {
        var edge1 = Parse("""
            tandem_edge_certificate_expiry_seconds{name="www.example.com"} 864000
            tandem_edge_certificate_expiry_seconds{name="127.0.0.1"} 864000
            tandem_edge_origin_healthy{origin="primary"} 1
            """);
        var edge2 = Parse("""tandem_edge_certificate_expiry_seconds{name="www.example.com"} 5184000""");

        var one = MetricDerivation.Gauges("edge-1", [edge1], 10).Where(p => p.Metric == MonitorMetrics.CertificateExpiryDays).ToList();
        Assert.Equal(["name=127.0.0.1 10", "name=www.example.com 10"], one.Select(p => $"{p.Labels} {p.Value}").Order(StringComparer.Ordinal));
        Assert.All(one, p => Assert.Equal(("edge-1", 10.0), (p.Node, p.Span)));

        // The total per name is the minimum over the edges: the one that expires first.
        var total = MetricDerivation.Gauges(null, [edge2, edge1], 10).Where(p => p.Metric == MonitorMetrics.CertificateExpiryDays).ToDictionary(p => p.Labels, p => p.Value);
        Assert.Equal(10, total["name=www.example.com"], 9);
        Assert.Equal(10, total["name=127.0.0.1"], 9);
        Assert.Equal(60, MetricDerivation.Gauges(null, [edge2], 10).Single(p => p.Metric == MonitorMetrics.CertificateExpiryDays).Value, 9);

        // An edge without HTTPS has no gauge, so no points: the alarm sees missing data.
        Assert.DoesNotContain(MetricDerivation.Gauges("edge-1", [Parse("tandem_edge_origin_healthy{origin=\"primary\"} 1")], 10), p => p.Metric == MonitorMetrics.CertificateExpiryDays);
    }
}

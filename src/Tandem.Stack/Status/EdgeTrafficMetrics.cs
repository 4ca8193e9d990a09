using Tandem.Core.Metrics;

namespace Tandem.Stack.Status;

/// <summary>The edge's traffic figures from its /metrics text.</summary>
public static class EdgeTrafficMetrics
{
    public const string Requests = "tandem_edge_requests_total";
    public const string Failovers = "tandem_edge_failovers_total";

    public static EdgeTraffic FromText(string text)
    {
        var samples = PrometheusText.Parse(text).ToList();
        return new EdgeTraffic(
            (long)PrometheusText.Sum(samples, Requests),
            (long)PrometheusText.Sum(samples, Requests, ("status", "4xx")),
            (long)PrometheusText.Sum(samples, Requests, ("status", "5xx")),
            (long)PrometheusText.Sum(samples, Failovers));
    }
}

using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tandem.Core.Metrics;

namespace Tandem.Origin;

/// <summary>
/// The origin's own instruments, served as Prometheus text at <c>GET /_tandem/metrics</c> on the
/// S3 listener: a bucket name cannot start with '_', so that path never names a bucket (while
/// <c>/metrics</c> would be the bucket "metrics" in path style), and no extra listener is needed.
/// </summary>
public sealed class OriginServerMetrics : IDisposable
{
    public const string Path = "/_tandem/metrics";

    private readonly Meter _meter = new("Tandem.Origin");
    private readonly PrometheusExporter _exporter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _bytes;

    public OriginServerMetrics()
    {
        _exporter = new PrometheusExporter(_meter);
        _requests = _meter.CreateCounter<long>("tandem_origin_requests_total", description: "Requests answered, by endpoint (s3 or website) and status class.");
        _bytes = _meter.CreateCounter<long>("tandem_origin_response_bytes_total", description: "Response body bytes declared by Content-Length, by endpoint (s3 or website).");
    }

    /// <summary>Counts every request of <paramref name="app"/> as <paramref name="endpoint"/>.</summary>
    public void Count(WebApplication app, string endpoint)
    {
        var tag = new KeyValuePair<string, object?>("endpoint", endpoint);
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            finally
            {
                var status = context.Response.StatusCode;
                var statusClass = status switch { < 200 => "1xx", < 300 => "2xx", < 400 => "3xx", < 500 => "4xx", _ => "5xx" };
                _requests.Add(1, tag, new KeyValuePair<string, object?>("status", statusClass));
                if (context.Response.ContentLength is > 0 and var length && !HttpMethods.IsHead(context.Request.Method))
                {
                    _bytes.Add(length, tag);
                }
            }
        });
    }

    /// <summary>Answers <see cref="Path"/> on <paramref name="app"/> before anything else sees it.</summary>
    public void Serve(WebApplication app) => app.Use((context, next) =>
    {
        if (context.Request.Path.Equals(Path, StringComparison.Ordinal) && HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.ContentType = PrometheusExporter.ContentType;
            return context.Response.WriteAsync(_exporter.Write(), context.RequestAborted);
        }

        return next(context);
    });

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }
}

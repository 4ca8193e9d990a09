using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tandem.Core.Metrics;
using Tandem.Edge.Caching;
using Tandem.Edge.Origins;
using Tandem.Edge.Serving;

namespace Tandem.Edge.Admin;

/// <summary>
/// The edge's admin listener: POST /invalidations and GET /status need the bearer token;
/// GET /metrics (Prometheus text) and GET /healthz are open, as scrapers and load balancers expect.
/// </summary>
public sealed class AdminApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly byte[] _token;
    private readonly ResponseCache _cache;
    private readonly IReadOnlyList<OriginRuntime> _origins;
    private readonly PrometheusExporter _exporter;
    private readonly string _name;
    private readonly ILogger _logger;

    public AdminApi(string name, string token, ResponseCache cache, IReadOnlyList<OriginRuntime> origins, PrometheusExporter exporter, ILogger logger)
    {
        _name = name;
        _token = Encoding.UTF8.GetBytes(token);
        _cache = cache;
        _origins = origins;
        _exporter = exporter;
        _logger = logger;
    }

    public void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/metrics", () => Results.Text(_exporter.Write(), PrometheusExporter.ContentType));
        app.MapGet("/status", (HttpContext context) => Authorized(context) ? Results.Json(Status(), Json) : Unauthorized());
        app.MapPost("/invalidations", async (HttpContext context) =>
        {
            if (!Authorized(context))
            {
                return Unauthorized();
            }

            InvalidationRequest? request;
            try
            {
                request = await JsonSerializer.DeserializeAsync<InvalidationRequest>(context.Request.Body, Json, context.RequestAborted);
            }
            catch (JsonException ex)
            {
                return Results.Problem(statusCode: 400, title: "body is not JSON of the form {\"paths\": [\"/index.html\", \"/css/*\"]}", detail: ex.Message);
            }

            var paths = request?.Paths ?? [];
            var bad = paths.Where(p => string.IsNullOrEmpty(p) || (p[0] != '/' && p != "*")).ToList();
            if (paths.Count == 0 || bad.Count > 0)
            {
                return Results.Problem(statusCode: 400, title: "every path must start with '/' (a trailing '*' matches a prefix)", detail: string.Join(", ", bad));
            }

            var removed = paths.Sum(p => _cache.Invalidate(p));
            EdgeLog.Invalidated(_logger, removed, paths);
            return Results.Json(new InvalidationResponse(paths, removed), Json);
        });
    }

    private static IResult Unauthorized() => Results.Problem(statusCode: 401, title: "admin token missing or wrong: send 'Authorization: Bearer TOKEN'");

    private bool Authorized(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[prefix.Length..].Trim()), _token);
    }

    private object Status() => new
    {
        edge = _name,
        cache = new { entries = _cache.Count, bytes = _cache.Bytes, maxBytes = _cache.MaxBytes, hits = _cache.Hits, misses = _cache.Misses },
        origins = _origins.Select(o =>
        {
            var s = o.Health.Snapshot();
            return new
            {
                name = o.Name,
                region = o.Endpoint.Region,
                url = o.Endpoint.BaseUri.ToString(),
                healthy = o.Health.IsHealthy,
                detail = s,
            };
        }),
    };
}

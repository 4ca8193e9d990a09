using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tandem.Core.Metrics;
using Tandem.Core.Releases;
using Tandem.Edge.Caching;
using Tandem.Edge.Origins;
using Tandem.Edge.Releases;
using Tandem.Edge.Serving;

namespace Tandem.Edge.Admin;

/// <summary>
/// The edge's admin listener: POST /invalidations, GET /status and the release calls (GET /release,
/// POST /release/prepare, POST /release/activate; see Tandem.Core/Releases/ReleaseAdminContract.cs)
/// need the bearer token; GET /metrics (Prometheus text), GET /healthz and GET /healthz/origins
/// (503 when no origin is healthy) are open, as scrapers
/// and load balancers expect.
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
    private readonly ReleaseManager _releases;

    internal AdminApi(string name, string token, ResponseCache cache, IReadOnlyList<OriginRuntime> origins, PrometheusExporter exporter, ILogger logger, ReleaseManager releases)
    {
        _releases = releases;
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

        // For a DNS health check that should move visitors elsewhere when this edge can no
        // longer reach any origin (both regions down): it still serves cached pages, but another
        // provider with the whole site is better than a cache that may miss.
        app.MapGet("/healthz/origins", () =>
        {
            var healthy = _origins.Where(o => o.Health.IsHealthy).Select(o => o.Name).ToList();
            return healthy.Count > 0
                ? Results.Text($"ok: {string.Join(", ", healthy)}\n")
                : Results.Text($"no healthy origin ({string.Join(", ", _origins.Select(o => o.Name))})\n", statusCode: 503);
        });
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
        app.MapGet("/release", (HttpContext context) => Authorized(context) ? Results.Json(_releases.Status(), Json) : Unauthorized());
        app.MapPost("/release/prepare", async (HttpContext context) =>
        {
            if (!Authorized(context))
            {
                return Unauthorized();
            }

            var (request, error) = await ReadAsync<PrepareReleaseRequest>(context, "{\"id\": \"0123456789ab\"}");
            return error ?? Answer(await _releases.PrepareAsync(request!.Id, context.RequestAborted));
        });
        app.MapPost("/release/activate", async (HttpContext context) =>
        {
            if (!Authorized(context))
            {
                return Unauthorized();
            }

            var (request, error) = await ReadAsync<ActivateReleaseRequest>(context, "{\"id\": \"0123456789ab\", \"invalidate\": [\"/index.html\", \"/css/*\"]}");
            return error ?? Answer(_releases.Activate(request!.Id, request.Invalidate));
        });
    }

    private static IResult Answer<T>(ReleaseCallResult<T> result) =>
        result.Status == 200 ? Results.Json(result.Value, Json) : Results.Problem(statusCode: result.Status, title: result.Error);

    /// <summary>Reads a JSON body; on failure, the 400 answer saying what form was expected.</summary>
    private static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext context, string example)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, Json, context.RequestAborted);
            return value is null ? (null, Results.Problem(statusCode: 400, title: $"body must be JSON of the form {example}")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Results.Problem(statusCode: 400, title: $"body is not JSON of the form {example}", detail: ex.Message));
        }
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

    private EdgeAdminStatus Status() => new(
        _name,
        _releases.Status(),
        new EdgeCacheStatus(_cache.Count, _cache.Bytes, _cache.MaxBytes, _cache.Hits, _cache.Misses),
        [.. _origins.Select(o => new EdgeOriginStatus(o.Name, o.Endpoint.Region, o.Endpoint.BaseUri.ToString(), o.Health.IsHealthy, o.Health.Snapshot()))]);
}

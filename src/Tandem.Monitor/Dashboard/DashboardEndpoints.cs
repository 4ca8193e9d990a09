using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tandem.Monitor.Dashboard;

/// <summary>
/// The dashboard's web endpoints: the page and its two assets (compiled into the assembly, so the
/// monitor serves them with nothing on disk and the page loads nothing from elsewhere), and the
/// JSON the page polls.
/// </summary>
public static class DashboardEndpoints
{
    /// <summary>The page's Content-Security-Policy: nothing from anywhere but the monitor itself.</summary>
    public const string ContentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The window a series covers when the request names none, and the longest it may ask for.</summary>
    public const int DefaultMinutes = 15;

    public const int MaxMinutes = 24 * 60;

    /// <summary>At most this many points per line: enough for a chart a laptop screen wide.</summary>
    public const int MaxPointsPerSeries = 300;

    /// <summary>camelCase, as the page reads it; NaN and infinities cannot make a response throw.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private static readonly Asset Script = new("text/javascript; charset=utf-8", DashboardAssets.Script);
    private static readonly Asset Style = new("text/css; charset=utf-8", DashboardAssets.Style);
    private static readonly Asset Icon = new("image/svg+xml", DashboardAssets.Icon);

    /// <summary>Maps the dashboard page, its assets and its JSON API onto <paramref name="app"/>.</summary>
    public static WebApplication MapDashboard(this WebApplication app, IMonitorReadModel model)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(model);

        // The page names its assets with a hash of their content, so they can be cached for good
        // and a new monitor build is still picked up at the next page load. The page itself is
        // revalidated every time.
        var html = DashboardAssets.Html
            .Replace("{{script}}", "dashboard.js?v=" + Script.Version, StringComparison.Ordinal)
            .Replace("{{style}}", "dashboard.css?v=" + Style.Version, StringComparison.Ordinal)
            .Replace("{{icon}}", "favicon.svg?v=" + Icon.Version, StringComparison.Ordinal);
        var page = new Asset("text/html; charset=utf-8", html);

        app.MapGet("/", context => ServeAsync(context, page, "no-cache", isPage: true));
        app.MapGet("/index.html", context => ServeAsync(context, page, "no-cache", isPage: true));
        app.MapGet("/dashboard.js", context => ServeAsync(context, Script, AssetCacheControl(context), isPage: false));
        app.MapGet("/dashboard.css", context => ServeAsync(context, Style, AssetCacheControl(context), isPage: false));
        app.MapGet("/favicon.svg", context => ServeAsync(context, Icon, AssetCacheControl(context), isPage: false));
        app.MapGet("/api/state", context => WriteJsonAsync(context, StatusCodes.Status200OK, model.Current()));
        app.MapGet("/api/series", context => SeriesAsync(context, model));
        return app;
    }

    /// <summary>Versioned URLs never change content; bare ones may after an upgrade.</summary>
    private static string AssetCacheControl(HttpContext context) =>
        context.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "no-cache";

    private static Task ServeAsync(HttpContext context, Asset asset, string cacheControl, bool isPage)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = cacheControl;
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        if (isPage)
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
        }

        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Body.Length;
        return context.Response.Body.WriteAsync(asset.Body, context.RequestAborted).AsTask();
    }

    private static Task SeriesAsync(HttpContext context, IMonitorReadModel model)
    {
        var request = SeriesRequest.Parse(context.Request.Query, out var error);
        if (request is null)
        {
            return WriteJsonAsync(context, StatusCodes.Status400BadRequest, new ApiError(error!));
        }

        var to = DateTimeOffset.UtcNow;
        var from = to - request.Window;
        var step = request.Step;
        var series = model.Query(request.Metric, request.Node, from, to, step);
        var body = new SeriesResponse(request.Metric, request.Node, from, to, step.TotalSeconds,
            [.. series.Select(s => new SeriesLine(s.Metric, s.Node, s.Labels,
                [.. s.Points.Select(p => new SeriesPoint(p.At, double.IsFinite(p.Value) ? p.Value : null))]))]);
        return WriteJsonAsync(context, StatusCodes.Status200OK, body);
    }

    private static Task WriteJsonAsync<T>(HttpContext context, int status, T body)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Json, context.RequestAborted);
    }

    private sealed record Asset(string ContentType, byte[] Body)
    {
        public Asset(string contentType, string text) : this(contentType, Encoding.UTF8.GetBytes(text))
        {
        }

        private readonly string _hash = Convert.ToHexStringLower(SHA256.HashData(Body));

        /// <summary>The first 12 hex digits of the content's SHA-256, for the URL that names this version.</summary>
        public string Version => _hash[..12];

        public string ETag => "\"" + _hash[..16] + "\"";
    }
}

/// <summary>A checked <c>/api/series</c> query.</summary>
internal sealed record SeriesRequest(string Metric, string? Node, int Minutes)
{
    public TimeSpan Window => TimeSpan.FromMinutes(Minutes);

    /// <summary>Whole seconds, at least one, so a line has at most <see cref="DashboardEndpoints.MaxPointsPerSeries"/> points.</summary>
    public TimeSpan Step => TimeSpan.FromSeconds(Math.Max(1, (int)Math.Ceiling(Window.TotalSeconds / DashboardEndpoints.MaxPointsPerSeries)));

    public static SeriesRequest? Parse(IQueryCollection query, out string? error)
    {
        error = null;
        var metricValue = query["metric"];
        var metricText = metricValue.Count == 1 ? metricValue[0] : null;
        var metric = MonitorMetrics.All.FirstOrDefault(m => string.Equals(m, metricText, StringComparison.OrdinalIgnoreCase));
        if (metric is null)
        {
            error = (string.IsNullOrEmpty(metricText) ? "metric is required (once)" : $"unknown metric '{Shorten(metricText)}'")
                + "; valid metrics: " + string.Join(", ", MonitorMetrics.All);
            return null;
        }

        var nodeValue = query["node"];
        string? node = nodeValue.Count == 0 || string.IsNullOrEmpty(nodeValue[0]) ? null : nodeValue[0];
        if (nodeValue.Count > 1 || (node is not null && !IsNodeName(node)))
        {
            error = "node must be one node name: up to 100 letters, digits, '.', '-', '_' or ':'";
            return null;
        }

        var minutes = DashboardEndpoints.DefaultMinutes;
        var minutesValue = query["minutes"];
        if (minutesValue.Count > 0
            && (minutesValue.Count > 1
                || !int.TryParse(minutesValue[0], NumberStyles.None, CultureInfo.InvariantCulture, out minutes)
                || minutes < 1 || minutes > DashboardEndpoints.MaxMinutes))
        {
            error = $"minutes must be a whole number from 1 to {DashboardEndpoints.MaxMinutes}";
            return null;
        }

        return new SeriesRequest(metric, node, minutes);
    }

    private static bool IsNodeName(string node) =>
        node.Length <= 100 && node.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or ':');

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

internal sealed record ApiError(string Error);

internal sealed record SeriesResponse(string Metric, string? Node, DateTimeOffset From, DateTimeOffset To, double StepSeconds, IReadOnlyList<SeriesLine> Series);

internal sealed record SeriesLine(string Metric, string? Node, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<SeriesPoint> Points);

/// <param name="Value">Null where the store had no finite value (a gap in the line).</param>
internal sealed record SeriesPoint(DateTimeOffset At, double? Value);

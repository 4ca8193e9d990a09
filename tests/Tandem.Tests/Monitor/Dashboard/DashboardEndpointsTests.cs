using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Tandem.Core.Stack;
using Tandem.Monitor;
using Tandem.Monitor.Dashboard;

namespace Tandem.Tests.Monitor.Dashboard;

/// <summary>The dashboard's endpoints over real HTTP (Kestrel on 127.0.0.1, port 0), read from a fixed fake.</summary>
public sealed class DashboardEndpointsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    private readonly FixedReadModel _model = new();
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapDashboard(_model);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task The_page_is_html_with_a_self_only_content_security_policy_and_is_revalidated()
    {
        using var response = await _http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.True(response.Headers.CacheControl?.NoCache);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Tandem monitor</h1>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dashboard.js", "text/javascript")]
    [InlineData("/dashboard.css", "text/css")]
    [InlineData("/favicon.svg", "image/svg+xml")]
    public async Task Assets_have_their_content_type_and_are_cached_for_good_only_under_a_versioned_url(string path, string mediaType)
    {
        using var bare = await _http.GetAsync(path);
        var html = await _http.GetStringAsync("/");
        var versioned = html.Split('"').Single(part => part.StartsWith(path.TrimStart('/') + "?v=", StringComparison.Ordinal));
        using var cached = await _http.GetAsync("/" + versioned);

        Assert.Equal(HttpStatusCode.OK, bare.StatusCode);
        Assert.Equal(mediaType, bare.Content.Headers.ContentType?.MediaType);
        Assert.True(bare.Headers.CacheControl?.NoCache);
        Assert.Equal("nosniff", Assert.Single(bare.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(TimeSpan.FromDays(365), cached.Headers.CacheControl?.MaxAge);
        Assert.Equal(await bare.Content.ReadAsByteArrayAsync(), await cached.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_asset_whose_etag_the_browser_has_is_not_sent_again()
    {
        using var first = await _http.GetAsync("/dashboard.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard.js");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task State_is_the_snapshot_in_camel_case_and_never_cached()
    {
        using var response = await _http.GetAsync("/api/state");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal(T0, root.GetProperty("taken").GetDateTimeOffset());
        Assert.Equal("00:00:05", root.GetProperty("scrapeInterval").GetString());
        var group = root.GetProperty("originGroups")[0];
        Assert.Equal("edge-a", group.GetProperty("edge").GetString());
        Assert.Equal("standby", group.GetProperty("servingFrom").GetString());
        Assert.False(group.GetProperty("origins")[0].GetProperty("healthy").GetBoolean());
        Assert.Equal("eu-west", group.GetProperty("origins")[0].GetProperty("region").GetString());
        var alarm = root.GetProperty("alarms")[0];
        Assert.Equal("ALARM", alarm.GetProperty("state").GetString());
        Assert.Equal("5xx over 1% for 3 scrapes", alarm.GetProperty("reason").GetString());
        Assert.Equal("r-2026-11-26-01", root.GetProperty("liveRelease").GetProperty("edge-a").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("liveRelease").GetProperty("edge-b").ValueKind);
        Assert.Equal(9.5, root.GetProperty("certificateExpiryDays").GetProperty("edge-a").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("certificateExpiryDays").GetProperty("edge-b").ValueKind);
        var scenario = root.GetProperty("drills")[0].GetProperty("scenarios")[0];
        Assert.Equal("freeze", scenario.GetProperty("scenario").GetString());
        Assert.Equal(1840, scenario.GetProperty("failoverMs").GetDouble());
        Assert.False(root.GetProperty("nodes")[1].GetProperty("up").GetBoolean());
    }

    [Fact]
    public async Task Series_asks_the_model_for_the_window_and_node_and_writes_gaps_as_null()
    {
        var before = DateTimeOffset.UtcNow;
        using var response = await _http.GetAsync("/api/series?metric=cachehitrate&node=edge-a&minutes=60");
        var after = DateTimeOffset.UtcNow;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var query = Assert.Single(_model.Queries);
        Assert.Equal((MonitorMetrics.CacheHitRate, "edge-a"), (query.Metric, query.Node));
        Assert.Equal(TimeSpan.FromMinutes(60), query.To - query.From);
        Assert.InRange(query.To, before, after);
        Assert.Equal(TimeSpan.FromSeconds(12), query.Step); // 3600 s over at most 300 points
        Assert.Equal(MonitorMetrics.CacheHitRate, root.GetProperty("metric").GetString());
        Assert.Equal(12, root.GetProperty("stepSeconds").GetDouble());
        var line = root.GetProperty("series")[0];
        Assert.Equal("edge-a", line.GetProperty("node").GetString());
        Assert.Equal("primary", line.GetProperty("labels").GetProperty("origin").GetString());
        var points = line.GetProperty("points");
        Assert.Equal(3, points.GetArrayLength());
        Assert.Equal(T0, points[0].GetProperty("at").GetDateTimeOffset());
        Assert.Equal(97.5, points[0].GetProperty("value").GetDouble());
        Assert.Equal(JsonValueKind.Null, points[1].GetProperty("value").ValueKind);
    }

    [Fact]
    public async Task Series_without_a_node_asks_for_all_nodes_over_the_default_window()
    {
        using var response = await _http.GetAsync("/api/series?metric=Requests");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var query = Assert.Single(_model.Queries);
        Assert.Null(query.Node);
        Assert.Equal(TimeSpan.FromMinutes(DashboardEndpoints.DefaultMinutes), query.To - query.From);
        Assert.Equal(TimeSpan.FromSeconds(3), query.Step);
    }

    [Theory]
    [InlineData("metric=Bogus", "unknown metric 'Bogus'")]
    [InlineData("", "metric is required")]
    [InlineData("metric=Requests&metric=CacheHitRate", "metric is required")]
    public async Task An_unknown_or_missing_metric_is_a_400_that_names_the_valid_ones(string query, string message)
    {
        using var response = await _http.GetAsync("/api/series?" + query);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error").GetString()!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.All(MonitorMetrics.All, metric => Assert.Contains(metric, error, StringComparison.Ordinal));
        Assert.Empty(_model.Queries);
    }

    [Theory]
    [InlineData("minutes=0", "minutes must be")]
    [InlineData("minutes=1441", "minutes must be")]
    [InlineData("minutes=-5", "minutes must be")]
    [InlineData("minutes=ten", "minutes must be")]
    [InlineData("node=%3Cscript%3E", "node must be")]
    [InlineData("node=a&node=b", "node must be")]
    public async Task A_bad_window_or_node_is_a_400(string query, string message)
    {
        using var response = await _http.GetAsync("/api/series?metric=Requests&" + query);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, body, StringComparison.Ordinal);
        Assert.Empty(_model.Queries);
    }

    [Fact]
    public async Task A_snapshot_with_a_non_finite_number_still_serialises()
    {
        _model.Snapshot = _model.Snapshot with
        {
            Drills = [new DrillReport { Started = T0, Finished = T0, Target = "x", Passed = false, Scenarios = [new DrillScenarioResult { Scenario = "slow", Passed = false, SlowestMs = double.NaN }] }],
        };

        using var response = await _http.GetAsync("/api/state");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"slowestMs\":\"NaN\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_script_loads_nothing_from_outside_and_sets_no_inline_markup()
    {
        var script = await _http.GetStringAsync("/dashboard.js");
        var style = await _http.GetStringAsync("/dashboard.css");

        Assert.DoesNotContain("https://", script, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("@import", style, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", style, StringComparison.Ordinal);
    }

    /// <summary>A read model with one fixed snapshot and one series, that records what it was asked.</summary>
    private sealed class FixedReadModel : IMonitorReadModel
    {
        public List<(string Metric, string? Node, DateTimeOffset From, DateTimeOffset To, TimeSpan Step)> Queries { get; } = [];

        public MonitorSnapshot Snapshot { get; set; } = new()
        {
            Taken = T0,
            LastScrape = T0.AddSeconds(-2),
            ScrapeInterval = TimeSpan.FromSeconds(5),
            Nodes = [new NodeState("edge", "edge-a", "http://127.0.0.1:9001", true, null), new NodeState("origin", "primary", "http://127.0.0.1:9101", false, "timed out")],
            OriginGroups = [new OriginGroupState("edge-a", "site", [new OriginView("primary", "eu-west", false), new OriginView("standby", "eu-north", true)], "standby")],
            Alarms = [new AlarmView("edge-5xx", MonitorMetrics.ErrorRate5xx, "ALARM", "5xx over 1% for 3 scrapes", T0.AddMinutes(-1), "visitors see errors")],
            LiveRelease = new Dictionary<string, string?> { ["edge-a"] = "r-2026-11-26-01", ["edge-b"] = null },
            CertificateExpiryDays = new Dictionary<string, double?> { ["edge-a"] = 9.5, ["edge-b"] = null },
            Drills = [new DrillReport { Started = T0.AddMinutes(-5), Finished = T0.AddMinutes(-4), Target = "http://127.0.0.1:9001", Passed = true, Scenarios = [new DrillScenarioResult { Scenario = "freeze", Passed = true, FailoverMs = 1840, Requests = 1200 }] }],
        };

        public IReadOnlyList<MetricSeries> Query(string metric, string? node, DateTimeOffset from, DateTimeOffset to, TimeSpan step)
        {
            lock (Queries)
            {
                Queries.Add((metric, node, from, to, step));
            }

            return [new MetricSeries(metric, node, new Dictionary<string, string> { ["origin"] = "primary" },
                [new MetricPoint(T0, 97.5), new MetricPoint(T0.AddSeconds(12), double.NaN), new MetricPoint(T0.AddSeconds(24), 98)])];
        }

        public MonitorSnapshot Current() => Snapshot;
    }
}

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.Monitor;
using Tandem.Monitor.Alarms;
using Tandem.Monitor.Dashboard;

namespace Tandem.FunctionalTests.Monitor.Dashboard;

/// <summary>
/// A read model a test changes while the page polls it: <see cref="Snapshot"/> is what
/// <c>/api/state</c> returns; the series are made up from the clock, shaped like a site that
/// failed over from its primary at <see cref="FailoverAt"/> (none when null).
/// </summary>
internal sealed class FakeMonitorReadModel : IMonitorReadModel
{
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(2);

    private volatile MonitorSnapshot _snapshot;
    private long _failoverTicks;

    public FakeMonitorReadModel(MonitorSnapshot snapshot) => _snapshot = snapshot;

    public MonitorSnapshot Snapshot
    {
        get => _snapshot;
        set => _snapshot = value;
    }

    public DateTimeOffset? FailoverAt
    {
        get => Interlocked.Read(ref _failoverTicks) is var t && t == 0 ? null : new DateTimeOffset(t, TimeSpan.Zero);
        set => Interlocked.Exchange(ref _failoverTicks, value?.UtcTicks ?? 0);
    }

    /// <summary>When the series start: before it there is no data, as for a monitor started then.</summary>
    public DateTimeOffset DataSince { get; set; } = DateTimeOffset.UtcNow.AddHours(-1);

    /// <summary>False: every series is empty (a monitor before its first scrape).</summary>
    public bool HasData { get; set; } = true;

    public MonitorSnapshot Current() => _snapshot with { Taken = DateTimeOffset.UtcNow, LastScrape = DateTimeOffset.UtcNow.AddSeconds(-1) };

    public IReadOnlyList<MetricSeries> Query(string metric, string? node, DateTimeOffset from, DateTimeOffset to, TimeSpan step)
    {
        if (!HasData)
        {
            return [];
        }

        var every = step < ScrapeInterval ? ScrapeInterval : step;
        var start = from < DataSince ? DataSince : from;
        var first = new DateTimeOffset(start.UtcTicks - (start.UtcTicks % every.Ticks) + every.Ticks, TimeSpan.Zero);
        var failover = FailoverAt;
        var points = new List<MetricPoint>();
        for (var at = first; at <= to; at += every)
        {
            points.Add(new MetricPoint(at, Value(metric, at, failover, every)));
        }

        var labels = metric is MonitorMetrics.Failovers or MonitorMetrics.OriginHealthy
            ? new Dictionary<string, string> { ["origin"] = "primary" }
            : new Dictionary<string, string>();
        return [new MetricSeries(metric, node, labels, points)];
    }

    /// <summary>Smooth traffic with a little noise; at a failover a burst of 5xx, a cache dip, slower origins.</summary>
    private static double Value(string metric, DateTimeOffset at, DateTimeOffset? failover, TimeSpan every)
    {
        var t = at.ToUnixTimeSeconds();
        var noise = (Math.Sin(t * 12.9898) * 43758.5453 % 1 + 1) % 1; // 0..1, the same for the same second
        var since = failover is { } f ? (at - f).TotalSeconds : double.NegativeInfinity;
        var after = since >= 0;
        var burst = after ? Math.Exp(-since / 20) : 0; // 1 at the failover, gone within a minute
        return metric switch
        {
            MonitorMetrics.Requests => 42 + (8 * Math.Sin(t / 90.0)) + (4 * noise),
            MonitorMetrics.BytesDownloaded => 1.6e6 + (2e5 * noise),
            MonitorMetrics.ErrorRate4xx => 0.4 + (0.3 * noise),
            MonitorMetrics.ErrorRate5xx => 0.02 + (3.5 * burst),
            MonitorMetrics.TotalErrorRate => 0.42 + (0.3 * noise) + (3.5 * burst),
            MonitorMetrics.CacheHitRate => 93 + (3 * noise) - (25 * burst),
            MonitorMetrics.OriginLatencyP50 => (after ? 46 : 18) + (4 * noise) + (200 * burst),
            MonitorMetrics.OriginLatencyP90 => (after ? 74 : 35) + (8 * noise) + (900 * burst),
            MonitorMetrics.OriginLatencyP99 => (after ? 140 : 80) + (20 * noise) + (1900 * burst),
            MonitorMetrics.Failovers => after && since < every.TotalSeconds ? 1 / every.TotalSeconds : 0,
            MonitorMetrics.OriginHealthy => after ? 0 : 1,
            _ => 10 * noise,
        };
    }

    /// <summary>
    /// One edge in front of a primary and a standby, the primary serving, the default alarms OK
    /// since the monitor started 42 minutes ago; certificate-expiry in ALARM when the edge's
    /// certificate has fewer than 14 days left.
    /// </summary>
    public static MonitorSnapshot Healthy(double certificateDays = 62)
    {
        var now = DateTimeOffset.UtcNow;
        var started = now.AddMinutes(-42);

        // Below 14 days since the day it crossed them: its renewal has been failing since.
        var certificate = certificateDays < 14
            ? DefaultAlarm("certificate-expiry", AlarmStates.Ok, now - TimeSpan.FromDays(14 - certificateDays), 13.99)
            : DefaultAlarm("certificate-expiry", AlarmStates.InsufficientData, started, certificateDays);
        return new MonitorSnapshot
        {
            Taken = now,
            LastScrape = now,
            ScrapeInterval = ScrapeInterval,
            Nodes =
            [
                new NodeState("edge", "edge-a", "http://127.0.0.1:8081", true, null),
                new NodeState("origin", "primary", "http://127.0.0.1:9001", true, null),
                new NodeState("origin", "standby", "http://127.0.0.1:9002", true, null),
                new NodeState("dns", "dns", "http://127.0.0.1:5380", true, null),
            ],
            OriginGroups = [Group("primary")],
            Alarms =
            [
                DefaultAlarm("edge-5xx-rate", AlarmStates.InsufficientData, started, 0.03, 0.02),
                DefaultAlarm("origin-failovers", AlarmStates.InsufficientData, started, 0),
                certificate,
            ],
            LiveRelease = new Dictionary<string, string?> { ["edge-a"] = "3f9c2e1a7b04" },
            CertificateExpiryDays = new Dictionary<string, double?> { ["edge-a"] = certificateDays },
            Drills =
            [
                new DrillReport
                {
                    Started = now.AddHours(-3),
                    Finished = now.AddHours(-3).AddSeconds(96),
                    Target = "http://127.0.0.1:8081",
                    Passed = true,
                    Scenarios =
                    [
                        new DrillScenarioResult { Scenario = "freeze", Passed = true, Requests = 4210, Errors = 0, FailoverMs = 1840, RecoveryMs = 2310, SlowestMs = 2052 },
                        new DrillScenarioResult { Scenario = "5xx", Passed = true, Requests = 3987, Errors = 0, FailoverMs = 212, RecoveryMs = 1980, SlowestMs = 240 },
                        new DrillScenarioResult { Scenario = "both-down", Passed = true, Requests = 2033, Errors = 0, SlowestMs = 31, Notes = ["served from cache"] },
                    ],
                },
            ],
        };
    }

    /// <summary>
    /// The primary frozen at <paramref name="at"/>: unhealthy, the standby serving. The failover
    /// alarm went to ALARM then, with the failovers of that minute, and back to OK a period later:
    /// once the edge sees the primary unhealthy it sends requests to the standby first.
    /// </summary>
    public static MonitorSnapshot FailedOver(MonitorSnapshot healthy, DateTimeOffset at)
    {
        var failovers = new AlarmDefinition("origin-failovers", MonitorConfig.DefaultAlarms["origin-failovers"]);
        var alarm = DateTimeOffset.UtcNow - at < failovers.Period
            ? DefaultAlarm(failovers.Name, AlarmStates.Ok, at, 14)
            : DefaultAlarm(failovers.Name, AlarmStates.Alarm, at + failovers.Period, 0);
        return healthy with
        {
            Nodes = [.. healthy.Nodes.Select(n => n.Name == "primary" ? n with { Up = false, Error = "timed out after 2 s" } : n)],
            OriginGroups = [Group("standby")],
            Alarms = [.. healthy.Alarms.Select(a => a.Name == failovers.Name ? alarm : a)],
        };
    }

    /// <summary>
    /// A default alarm (MonitorConfig.DefaultAlarms) as the monitor shows it after evaluating, at
    /// <paramref name="at"/> and from the state <paramref name="previous"/>, one value per period (newest
    /// first); its state and reason are the evaluator's.
    /// </summary>
    private static AlarmView DefaultAlarm(string name, string previous, DateTimeOffset at, params double?[] values)
    {
        var alarm = new AlarmDefinition(name, MonitorConfig.DefaultAlarms[name]);
        var datapoints = values.Select((v, i) => new Datapoint(at - (alarm.Period * (i + 1)), v)).ToList();
        var decision = AlarmEvaluator.Evaluate(alarm, datapoints, previous);
        return MonitorModel.View(new AlarmStatus(alarm, decision.State, decision.Reason, at));
    }

    /// <summary>The group as edge-a sees it, serving from <paramref name="serving"/> (null: none healthy).</summary>
    public static OriginGroupState Group(string? serving) => new("edge-a", "site",
        [new OriginView("primary", "eu-west-1", serving == "primary"), new OriginView("standby", "eu-north-1", serving is "primary" or "standby")],
        serving);
}

/// <summary>A real Kestrel on 127.0.0.1, port 0, serving the dashboard over a read model.</summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardHost(WebApplication app) => _app = app;

    public Uri Address => new(_app.Urls.First() + "/");

    public static async Task<DashboardHost> StartAsync(IMonitorReadModel model)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapDashboard(model);
        await app.StartAsync();
        return new DashboardHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

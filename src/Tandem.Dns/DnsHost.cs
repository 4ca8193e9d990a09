using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tandem.Core.Hosting;
using Tandem.Core.Metrics;
using Tandem.Dns.Health;
using Tandem.Dns.Serving;
using Tandem.Dns.Zones;

namespace Tandem.Dns;

/// <summary>
/// A running DNS node: the name server on UDP and TCP (one port), the health checks, and the
/// HTTP listener for /metrics, /status and /healthz. The CLI and the functional tests both start
/// nodes through <see cref="StartAsync"/>.
/// </summary>
public sealed class DnsHost : IAsyncDisposable
{
    /// <summary>The meter name of the DNS role's instruments.</summary>
    public const string MeterName = "Tandem.Dns";

    private readonly DnsListener _listener;
    private readonly WebApplication _web;
    private readonly HealthChecker _checker;
    private readonly Meter _meter;
    private readonly PrometheusExporter _exporter;
    private readonly AnswerSource _answers;

    private DnsHost(DnsListener listener, WebApplication web, HealthChecker checker, Meter meter, PrometheusExporter exporter, AnswerSource answers, DnsMetrics metrics)
    {
        _listener = listener;
        _web = web;
        _checker = checker;
        _meter = meter;
        _exporter = exporter;
        _answers = answers;
        Metrics = metrics;
        Endpoint = listener.Endpoint;
    }

    /// <summary>Where the name server answers, UDP and TCP.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Base URL of the metrics listener.</summary>
    public Uri MetricsUrl { get; private set; } = null!;

    public DnsMetrics Metrics { get; }

    /// <summary>The health checks' states, by index.</summary>
    public IReadOnlyList<HealthCheckState> Health => _checker.States;

    /// <summary>The answers currently served.</summary>
    public AnswerTable Table => _answers.Current;

    public static async Task<DnsHost> StartAsync(DnsOptions options, Action<ILoggingBuilder>? logging = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var config = options.Config;
        var checkNames = config.Dns.HealthChecks.Keys.ToList();
        var checkIndex = checkNames.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        var zones = ZoneModelBuilder.Build(config, checkIndex);
        var specs = checkNames.Select(n => HealthCheckSpec.FromConfig(n, config.Dns.HealthChecks[n])).ToList();

        var web = KestrelApps.Create(logging, k => k.Listen(options.MetricsListen));
        var logger = web.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tandem.Dns");
        var meter = new Meter(MeterName);
        var exporter = new PrometheusExporter(meter);
        var metrics = new DnsMetrics(meter);

        HealthChecker checker = null!;
        AnswerSource answers = null!;
        checker = new HealthChecker(specs, () => answers.Rebuild(checker.Healthy()), time, logger);
        answers = new AnswerSource(zones, checker.Healthy());
        var responder = new DnsResponder(() => answers.Current, metrics);
        DnsListener listener;
        try
        {
            listener = new DnsListener(options.Listen, responder, logger);
        }
        catch
        {
            await checker.DisposeAsync();
            await web.DisposeAsync();
            exporter.Dispose();
            meter.Dispose();
            throw;
        }

        var host = new DnsHost(listener, web, checker, meter, exporter, answers, metrics);
        meter.CreateObservableGauge("tandem_dns_health_check_healthy", () => checker.States.Select(s => new Measurement<int>(s.IsHealthy ? 1 : 0, new KeyValuePair<string, object?>("check", s.Status.Name))),
            description: "1 while a health check passes (after its thresholds), 0 while it fails.");
        meter.CreateObservableCounter("tandem_dns_health_check_transitions_total", () => checker.States.Select(s => new Measurement<long>(s.Status.Transitions, new KeyValuePair<string, object?>("check", s.Status.Name))),
            description: "Times a health check's verdict changed.");
        meter.CreateObservableCounter("tandem_dns_answers_total", () => Counters(zones).Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("record", c.RecordSet), new KeyValuePair<string, object?>("target", c.Target))),
            description: "Times each target of a failover or multivalue set was answered.");
        host.MapEndpoints(options.Name);

        try
        {
            listener.Start();
            await web.StartAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        host.MetricsUrl = KestrelApps.BoundUrls(web).First();
        checker.Start();
        DnsLog.Listening(logger, listener.Endpoint.ToString(), host.MetricsUrl.ToString());
        return host;
    }

    /// <summary>Completes when the node is told to stop (Ctrl-C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        KestrelApps.WaitForAnyStopAsync(cancellationToken, _web);

    /// <summary>The node's state as /status reports it.</summary>
    public DnsStatus Status(string name) => new(
        name,
        Endpoint.ToString(),
        Metrics.Total,
        Metrics.Dropped,
        [.. _checker.States.Select(s => s.Status)],
        [.. Counters(_answers.Zones).Select(c => new DnsAnswerCount(c.RecordSet, c.Target, c.Count))],
        [.. Table.Zones.Select(z => new DnsZoneStatus(z.Model.Apex.ToString().TrimEnd('.'), z.Nodes.Sum(n => n.Value.Sets.Count)))]);

    private void MapEndpoints(string name)
    {
        _web.MapGet("/metrics", () => Results.Text(_exporter.Write(), PrometheusExporter.ContentType));
        _web.MapGet("/status", () => Results.Json(Status(name), StatusJson));
        _web.MapGet("/healthz", () => Results.Text("ok\n"));
    }

    private static readonly JsonSerializerOptions StatusJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static IEnumerable<TargetCounter> Counters(IReadOnlyList<ZoneModel> zones) =>
        zones.SelectMany(z => z.Sets).OfType<RoutedSet>().SelectMany(s => s.Targets).Select(t => t.Counter);

    public async ValueTask DisposeAsync()
    {
        await _checker.DisposeAsync();
        _listener.Dispose();

        await _web.StopAsync();
        await _web.DisposeAsync();
        _exporter.Dispose();
        _meter.Dispose();
    }
}

/// <summary>What GET /status returns.</summary>
public sealed record DnsStatus(string Node, string Listen, long Queries, long Dropped, IReadOnlyList<HealthStatus> HealthChecks, IReadOnlyList<DnsAnswerCount> Answers, IReadOnlyList<DnsZoneStatus> Zones);

public sealed record DnsAnswerCount(string Record, string Target, long Count);

public sealed record DnsZoneStatus(string Zone, int RecordSets);

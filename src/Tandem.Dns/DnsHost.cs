using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ARSoft.Tools.Net.Dns;
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

    private readonly DnsServer _server;
    private readonly WebApplication _web;
    private readonly HealthChecker _checker;
    private readonly Meter _meter;
    private readonly PrometheusExporter _exporter;
    private readonly IReadOnlyList<ZoneModel> _zones;
    private readonly Lock _rebuild = new();
    private AnswerTable _table;

    private DnsHost(DnsServer server, WebApplication web, HealthChecker checker, Meter meter, PrometheusExporter exporter, IReadOnlyList<ZoneModel> zones, AnswerTable table, DnsMetrics metrics, IPEndPoint endpoint)
    {
        _server = server;
        _web = web;
        _checker = checker;
        _meter = meter;
        _exporter = exporter;
        _zones = zones;
        _table = table;
        Metrics = metrics;
        Endpoint = endpoint;
    }

    /// <summary>Where the name server answers, UDP and TCP.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>Base URL of the metrics listener.</summary>
    public Uri MetricsUrl { get; private set; } = null!;

    public DnsMetrics Metrics { get; }

    /// <summary>The health checks' states, by index.</summary>
    public IReadOnlyList<HealthCheckState> Health => _checker.States;

    /// <summary>The answers currently served.</summary>
    public AnswerTable Table => Volatile.Read(ref _table);

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

        DnsHost? host = null;
        var checker = new HealthChecker(specs, () => host?.Rebuild(), time, logger);
        var table = AnswerTable.Build(zones, checker.Healthy());
        var endpoint = options.Listen.Port == 0 ? FreePort(options.Listen.Address) : options.Listen;
        var server = new DnsServer(new UdpServerTransport(endpoint, 5000), new TcpServerTransport(endpoint, 5000, 120000));
        host = new DnsHost(server, web, checker, meter, exporter, zones, table, metrics, endpoint);
        var responder = new DnsResponder(() => Volatile.Read(ref host._table), metrics);
        server.QueryReceived += (_, e) =>
        {
            // Other message kinds (updates, multicast) get ARSoft's failure response (SERVFAIL).
            if (e.Query is DnsMessage query)
            {
                e.Response = responder.Respond(query);
            }

            return Task.CompletedTask;
        };
        server.ExceptionThrown += (_, e) =>
        {
            // A packet that does not parse is dropped (ARSoft ends that exchange); count it.
            metrics.CountDropped();
            DnsLog.ServerError(logger, e.Exception.Message);
            return Task.CompletedTask;
        };

        meter.CreateObservableGauge("tandem_dns_health_check_healthy", () => checker.States.Select(s => new Measurement<int>(s.IsHealthy ? 1 : 0, new KeyValuePair<string, object?>("check", s.Status.Name))),
            description: "1 while a health check passes (after its thresholds), 0 while it fails.");
        meter.CreateObservableCounter("tandem_dns_health_check_transitions_total", () => checker.States.Select(s => new Measurement<long>(s.Status.Transitions, new KeyValuePair<string, object?>("check", s.Status.Name))),
            description: "Times a health check's verdict changed.");
        meter.CreateObservableCounter("tandem_dns_answers_total", () => Counters(zones).Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("record", c.RecordSet), new KeyValuePair<string, object?>("target", c.Target))),
            description: "Times each target of a failover or multivalue set was answered.");
        host.MapEndpoints(options.Name);

        try
        {
            server.Start();
            await web.StartAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        host.MetricsUrl = KestrelApps.BoundUrls(web).First();
        checker.Start();
        DnsLog.Listening(logger, endpoint.ToString(), host.MetricsUrl.ToString());
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
        [.. Counters(_zones).Select(c => new DnsAnswerCount(c.RecordSet, c.Target, c.Count))],
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

    private void Rebuild()
    {
        // Off the query path: build the whole table for the new health state, then swap it in.
        lock (_rebuild)
        {
            Volatile.Write(ref _table, AnswerTable.Build(_zones, _checker.Healthy()));
        }
    }

    // Port 0 must give UDP and TCP the same port: take one that both can bind now.
    private static IPEndPoint FreePort(IPAddress address)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(address, 0));
            var endpoint = (IPEndPoint)tcp.LocalEndPoint!;
            try
            {
                using var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(endpoint);
                return endpoint;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _checker.DisposeAsync();
        try
        {
            _server.Stop();
        }
        catch (Exception ex) when (ex is AggregateException or ObjectDisposedException or NullReferenceException)
        {
            // Stop after a failed Start has nothing to stop.
        }

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

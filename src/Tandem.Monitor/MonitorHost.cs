using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tandem.Core.Hosting;
using Tandem.Core.Metrics;
using Tandem.Monitor.Actions;
using Tandem.Monitor.Alarms;
using Tandem.Monitor.Dashboard;
using Tandem.Monitor.Scraping;
using Tandem.Monitor.Store;

namespace Tandem.Monitor;

/// <summary>The JSON of GET /api/alarms (and what <c>tandem alarms</c> reads).</summary>
public sealed record AlarmsResponse(IReadOnlyList<AlarmView> Alarms, IReadOnlyList<AlarmHistoryEntry>? History);

/// <summary>
/// A running monitor: the scrape loop, the store, the alarms and their actions, and one listener
/// with the dashboard, /metrics (its own), /healthz and /api/alarms. The CLI and the functional
/// tests both start it through <see cref="StartAsync"/>.
/// </summary>
public sealed partial class MonitorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SeriesStore _store;
    private readonly AlarmNotifier _notifier;
    private readonly HttpClient _http;
    private readonly Meter _meter;
    private readonly PrometheusExporter _exporter;
    private readonly CancellationTokenSource _stop = new();
    private readonly Scraper _scraper;
    private readonly AlarmEngine _alarms;
    private readonly TimeProvider _time;
    private readonly MonitorOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _round = new(1, 1);
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset _lastSweep;

    private MonitorHost(WebApplication app, SeriesStore store, AlarmNotifier notifier, HttpClient http, Meter meter, PrometheusExporter exporter,
        Scraper scraper, AlarmEngine alarms, TimeProvider time, MonitorOptions options, ILogger logger)
    {
        (_app, _store, _notifier, _http, _meter, _exporter, _scraper, _alarms, _time, _options, _logger) = (app, store, notifier, http, meter, exporter, scraper, alarms, time, options, logger);
    }

    /// <summary>Base URL of the listener, with the port actually bound.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>What the dashboard reads.</summary>
    public IMonitorReadModel ReadModel { get; private set; } = null!;

    /// <summary>The store, for tests.</summary>
    internal SeriesStore Store => _store;

    /// <summary>Opens the store, starts the listener and the scrape loop.</summary>
    public static async Task<MonitorHost> StartAsync(MonitorOptions options, Action<ILoggingBuilder>? logging = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var app = KestrelApps.Create(logging, kestrel => kestrel.Listen(options.Listen));
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tandem.Monitor");
        var store = new SeriesStore(options.StorePath);
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(2) }) { Timeout = Timeout.InfiniteTimeSpan };
        var meter = new Meter("Tandem.Monitor");
        var exporter = new PrometheusExporter(meter);
        var notifier = new AlarmNotifier(http, logger);
        var scraper = new Scraper(http, options.Targets, store, TimeSpan.FromMilliseconds(Math.Clamp(options.ScrapeInterval.TotalMilliseconds * 0.8, 200, 5000)), meter);
        var alarms = new AlarmEngine(options.Alarms, store, notifier, time.GetUtcNow());
        meter.CreateObservableGauge("tandem_monitor_alarm_state",
            () => alarms.Statuses.SelectMany(s => new[] { AlarmStates.Ok, AlarmStates.Alarm, AlarmStates.InsufficientData }
                .Select(state => new Measurement<int>(s.State == state ? 1 : 0, new KeyValuePair<string, object?>("alarm", s.Definition.Name), new KeyValuePair<string, object?>("state", state)))),
            description: "1 for each alarm's current state (OK, ALARM or INSUFFICIENT_DATA), 0 for the others.");
        var host = new MonitorHost(app, store, notifier, http, meter, exporter, scraper, alarms, time, options, logger);
        try
        {
            app.MapGet("/healthz", () => Results.Text("ok\n"));
            app.MapGet("/metrics", () => Results.Text(exporter.Write(), PrometheusExporter.ContentType));
            app.MapGet("/api/alarms", (bool? history) => Results.Json(
                new AlarmsResponse([.. alarms.Statuses.Select(MonitorModel.View)], history is true ? store.History() : null), AlarmNotifier.Json));

            // The model needs the bound URL; the dashboard maps onto the app before it starts.
            var model = new DeferredModel();
            app.MapDashboard(model);
            await app.StartAsync(cancellationToken);
            host.Url = KestrelApps.BoundUrls(app).First();
            model.Inner = new MonitorModel(options, store, scraper, alarms, time, host.Url);
            host.ReadModel = model.Inner;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        host._loop = host.RunAsync();
        return host;
    }

    /// <summary>Runs one scrape round and evaluates the alarms now (the loop does this every interval).</summary>
    internal async Task<IReadOnlyList<AlarmNotification>> RoundAsync(CancellationToken cancellationToken)
    {
        await _round.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            await _scraper.RoundAsync(now, cancellationToken);
            var changes = _alarms.Evaluate(now);
            foreach (var c in changes)
            {
                LogChange(_logger, c.Alarm, c.OldState, c.NewState, c.Reason);
            }

            if (now - _lastSweep >= TimeSpan.FromMinutes(1))
            {
                _store.Sweep(now - _options.Retention, now);
                _lastSweep = now;
            }

            return changes;
        }
        finally
        {
            _round.Release();
        }
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_options.ScrapeInterval, _time);
        do
        {
            try
            {
                await RoundAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRoundFailed(_logger, ex.Message);
            }
        }
        while (await WaitAsync(timer));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Completes when the listener is told to stop.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        KestrelApps.WaitForAnyStopAsync(cancellationToken, _app);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _notifier.DisposeAsync();
        await _round.WaitAsync();
        _store.Dispose();
        _http.Dispose();
        _exporter.Dispose();
        _meter.Dispose();
        _stop.Dispose();
        _round.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "alarm {Alarm}: {OldState} -> {NewState}: {Reason}")]
    private static partial void LogChange(ILogger logger, string alarm, string oldState, string newState, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "scrape round failed: {Problem}")]
    private static partial void LogRoundFailed(ILogger logger, string problem);

    /// <summary>Lets the dashboard be mapped before the listener's address (part of the model) is known.</summary>
    private sealed class DeferredModel : IMonitorReadModel
    {
        public MonitorModel? Inner { get; set; }

        public IReadOnlyList<MetricSeries> Query(string metric, string? node, DateTimeOffset from, DateTimeOffset to, TimeSpan step) =>
            Inner?.Query(metric, node, from, to, step) ?? [];

        public MonitorSnapshot Current() => Inner?.Current() ?? new MonitorSnapshot { Taken = DateTimeOffset.UtcNow };
    }
}

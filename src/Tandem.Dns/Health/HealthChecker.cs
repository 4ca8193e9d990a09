using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tandem.Dns.Health;

/// <summary>
/// Runs every health check in the background, one loop per check so a check never overlaps
/// itself, and reports verdict changes. HTTP and HTTPS checks open a fresh connection each time
/// (a pooled connection would hide a listener that stopped accepting) and, as Route 53's,
/// do not validate certificates.
/// </summary>
public sealed class HealthChecker : IAsyncDisposable
{
    private readonly IReadOnlyList<HealthCheckSpec> _specs;
    private readonly HealthCheckState[] _states;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    /// <param name="onChange">Called after a check's verdict changes, on the check's loop.</param>
    public HealthChecker(IReadOnlyList<HealthCheckSpec> specs, Action onChange, TimeProvider? time = null, ILogger? logger = null)
    {
        _specs = specs;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _states = [.. specs.Select(s => new HealthCheckState(s.Name, s.FailureThreshold, s.RecoveryThreshold, _time.GetUtcNow()))];
        OnChange = onChange;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.Zero,
#pragma warning disable CA5359 // Route 53's HTTPS checks do not validate certificates either: the check is about the endpoint answering.
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
#pragma warning restore CA5359
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    private Action OnChange { get; }

    /// <summary>States by check index (the index the zone model uses).</summary>
    public IReadOnlyList<HealthCheckState> States => _states;

    /// <summary>Current verdicts by check index.</summary>
    public bool[] Healthy() => [.. _states.Select(s => s.IsHealthy)];

    public void Start()
    {
        _running = Task.WhenAll(_specs.Select((s, i) => Task.Run(() => LoopAsync(s, _states[i], _stop.Token))));
    }

    /// <summary>Runs one check and records its result; returns whether it passed.</summary>
    public async Task<bool> CheckOnceAsync(int index, CancellationToken cancellationToken = default)
    {
        var spec = _specs[index];
        var (passed, error) = await RunAsync(spec, cancellationToken);
        if (_states[index].Record(passed, error, _time.GetUtcNow()))
        {
            DnsLog.HealthChanged(_logger, spec.Name, passed ? "healthy" : "unhealthy", error ?? "check passed");
            OnChange();
        }

        return passed;
    }

    private async Task LoopAsync(HealthCheckSpec spec, HealthCheckState state, CancellationToken stop)
    {
        var index = Array.IndexOf(_states, state);
        try
        {
            // Spread the first checks so several nodes (and checks) do not fire in step.
            await Task.Delay(spec.Interval * Random.Shared.NextDouble() * 0.1, _time, stop);
            while (!stop.IsCancellationRequested)
            {
                var started = _time.GetTimestamp();
                await CheckOnceAsync(index, stop);
                var wait = spec.Interval - _time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task<(bool Passed, string? Error)> RunAsync(HealthCheckSpec spec, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(spec.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            if (spec.Type == "tcp")
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(spec.Host, spec.Port, linked.Token);
                return (true, null);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, spec.Url);
            request.Headers.ConnectionClose = true;
            request.Headers.TryAddWithoutValidation("User-Agent", "Tandem-DNS-HealthCheck");
            if (spec.HostHeader is { } host)
            {
                // SocketsHttpHandler also sends it as the TLS server name (SNI) for https.
                request.Headers.Host = host;
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            if (status < spec.StatusLow || status > spec.StatusHigh)
            {
                return (false, $"{spec} answered {status}, expected {spec.StatusLow}-{spec.StatusHigh}");
            }

            if (spec.BodyContains is { } needle)
            {
                var buffer = new byte[HealthCheckSpec.BodyBytes];
                await using var body = await response.Content.ReadAsStreamAsync(linked.Token);
                var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, linked.Token);
                if (!Encoding.UTF8.GetString(buffer, 0, read).Contains(needle, StringComparison.Ordinal))
                {
                    return (false, $"{spec} answered {status} without \"{needle}\" in the first {HealthCheckSpec.BodyBytes} bytes");
                }
            }

            return (true, null);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return (false, $"{spec} did not answer within {spec.Timeout.TotalMilliseconds} ms");
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException)
        {
            return (false, $"{spec} failed: {ex.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
        _http.Dispose();
    }
}

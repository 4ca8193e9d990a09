using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tandem.Core.Releases;

namespace Tandem.Edge.Origins;

/// <summary>
/// Probes every origin in the background: GET of its HealthCheck.Path (under its origin path,
/// as real requests are, and with its Host header) every IntervalMs, each allowed TimeoutMs.
/// 2xx and 3xx are good. Any 4xx or 5xx is bad: a bucket whose website configuration was deleted
/// answers 404 NoSuchWebsiteConfiguration, and that origin must not get traffic. A probe that
/// gets no answer (refused, timeout) counts as a <see cref="OriginFailureKind.Transport"/> failure.
/// </summary>
/// <remarks>
/// Healthy origins are probed too: that is how a frozen primary is found within about
/// IntervalMs + TimeoutMs even when no request happens to reach it, and the requests already
/// waiting on it move on at that moment (<see cref="OriginHealth.UnhealthyToken"/>). Each
/// origin has one loop, so its probes never overlap; intervals are jittered by ±10% so that
/// several edges do not probe an origin in step.
/// </remarks>
public sealed class HealthProber : IAsyncDisposable
{
    private readonly IReadOnlyList<OriginRuntime> _origins;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<string?> _liveRelease;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private long _probes;

    /// <param name="origins">The origins to probe, each with its own HealthCheck settings.</param>
    /// <param name="time">Clock for intervals and timeouts; null for the system clock.</param>
    /// <param name="logger">Where failed probes are logged (Debug); null for nowhere.</param>
    /// <param name="liveRelease">The release the edge serves now, read before each probe; null (or returning null) for none.</param>
    public HealthProber(IEnumerable<OriginRuntime> origins, TimeProvider? time = null, ILogger? logger = null, Func<string?>? liveRelease = null)
    {
        _origins = [.. origins];
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _liveRelease = liveRelease ?? (() => null);
    }

    /// <summary>
    /// The path a probe of <paramref name="endpoint"/> GETs. With no live release, or with a
    /// healthCheck.path other than the default "/", the configured path as it is (a path the
    /// user chose names an object they keep in the bucket). With a live release and the default,
    /// that release's manifest under the origin's prefix: the bucket root has no index document
    /// once the site lives in releases/, and the manifest is written last, so it is there exactly
    /// when the origin holds the whole release the edge would fetch from it. (Not live.json:
    /// deploy writes that after switching the edges, so probing it would fail a healthy origin
    /// during every first deploy.)
    /// </summary>
    public static string ProbePath(OriginEndpoint endpoint, string? liveRelease)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var path = endpoint.Connection.HealthCheck.Path;
        return liveRelease is not null && path == "/" ? ReleaseLayout.ManifestUrlPath(endpoint.Prefix, liveRelease) : path;
    }

    /// <summary>Probes sent so far, over all origins.</summary>
    public long ProbesSent => Interlocked.Read(ref _probes);

    /// <summary>Starts one probe loop per origin; the first probes go out within a tenth of an interval.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        if (!_running.IsCompleted)
        {
            throw new InvalidOperationException("the health prober is already running");
        }

        _running = Task.WhenAll(_origins.Select(o => Task.Run(() => RunAsync(o, _stop.Token))));
    }

    /// <summary>Stops every loop, cancelling probes in flight, and waits for them to end.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _running;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    /// <summary>One probe of <paramref name="origin"/>, fed to its health. Exposed for tests and for an on-demand check.</summary>
    public async Task<bool> ProbeOnceAsync(OriginRuntime origin, CancellationToken cancellationToken = default)
    {
        var path = ProbePath(origin.Endpoint, _liveRelease());
        Interlocked.Increment(ref _probes);
        var (ok, kind, reason) = await ProbeAsync(origin, path, cancellationToken);
        origin.Health.RecordProbe(ok, reason, kind);
        if (!ok)
        {
            OriginsLog.ProbeFailed(_logger, origin.Name, path, reason ?? "");
        }

        return ok;
    }

    private async Task RunAsync(OriginRuntime origin, CancellationToken stop)
    {
        var interval = TimeSpan.FromMilliseconds(origin.Endpoint.Connection.HealthCheck.IntervalMs);
        try
        {
            await Task.Delay(interval * Random.Shared.NextDouble() * 0.1, _time, stop);
            while (!stop.IsCancellationRequested)
            {
                var started = _time.GetTimestamp();
                await ProbeOnceAsync(origin, stop);
                var wait = interval * (0.9 + (Random.Shared.NextDouble() * 0.2)) - _time.GetElapsedTime(started);

                // After a probe that waited out its timeout the next would go at once; while the
                // origin is unhealthy keep half an interval between probes, so the good probes
                // that bring it back are spread over time rather than a burst.
                if (!origin.Health.IsHealthy && wait < interval / 2)
                {
                    wait = interval / 2;
                }
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

    private async Task<(bool Ok, OriginFailureKind Kind, string? Reason)> ProbeAsync(OriginRuntime origin, string path, CancellationToken stop)
    {
        var endpoint = origin.Endpoint;
        var check = endpoint.Connection.HealthCheck;
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.RequestUri(path))
        {
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Headers.Host = endpoint.HostHeader;
        request.Headers.TryAddWithoutValidation("User-Agent", "Tandem-Edge-HealthCheck");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(check.TimeoutMs), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            using var response = await origin.Client.Invoker.SendAsync(request, linked.Token);
            origin.Health.NoteAnswer();
            var status = (int)response.StatusCode;

            // A release's manifest missing from an origin that deploy gave routing rules is not a
            // 404 but a redirect into its live release: that origin does not hold the release.
            if (status is >= 300 and < 400 && response.Headers.Location is { } location
                && path.StartsWith("/" + endpoint.Prefix + ReleaseLayout.MetaFolder, StringComparison.Ordinal)
                && Releases.ReleaseRedirect.IsMissingFile(location.OriginalString, endpoint.PathPrefix, "/" + endpoint.Prefix + ReleaseLayout.ReleasesFolder, path))
            {
                return (false, OriginFailureKind.Status, $"probe of {path} answered {status} to {location.OriginalString}: the origin does not hold it");
            }

            return status is >= 200 and < 400
                ? (true, OriginFailureKind.Status, null)
                : (false, OriginFailureKind.Status, $"probe of {path} answered {status}");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (false, OriginFailureKind.Transport, $"probe of {path} got no answer within {check.TimeoutMs} ms");
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException)
        {
            var detail = ex.InnerException?.Message is { Length: > 0 } inner ? $"{ex.Message} ({inner})" : ex.Message;
            return (false, OriginFailureKind.Transport, $"probe of {path} failed: {detail}");
        }
    }
}

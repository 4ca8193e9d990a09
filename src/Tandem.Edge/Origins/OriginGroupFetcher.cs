using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tandem.Core.Releases;

namespace Tandem.Edge.Origins;

/// <summary>
/// Fetches a request from an origin group: origins in <see cref="FailoverPlanner"/> order, the
/// same request going on to the next origin when one fails, before anything reaches the visitor.
/// </summary>
/// <remarks>
/// An attempt fails on a connect failure or timeout, a response timeout, a reset, or a status in
/// the group's failover set. Every attempt feeds its origin's health: a transport failure counts
/// as <see cref="OriginFailureKind.Transport"/>, a 5xx in the failover set as
/// <see cref="OriginFailureKind.Status"/>, and a 4xx in the set (403, 404 when configured) not at
/// all, because it is most often one missing page rather than a broken origin; a bucket whose
/// website configuration is gone answers the health probe with 404 too, and the probe catches it.
/// An attempt on an origin that was healthy when the request began is abandoned the moment the
/// origin turns unhealthy (another request timed out, a probe failed, or the stall rule of
/// <see cref="OriginClient.SendAsync"/> fired) and the request moves on, unless it has nowhere
/// left to go.
/// </remarks>
public sealed class OriginGroupFetcher
{
    private readonly OriginMetrics? _metrics;
    private readonly ILogger _logger;

    /// <param name="metrics">Where attempts and failovers are counted; null for nowhere.</param>
    /// <param name="logger">Where failovers are logged; null for nowhere.</param>
    public OriginGroupFetcher(OriginMetrics? metrics = null, ILogger? logger = null)
    {
        _metrics = metrics;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Sends <paramref name="request"/> to the group's origins until one answers with a status
    /// outside the failover set. GET, HEAD and OPTIONS without a body may go to every origin of
    /// the plan; any other request goes to one origin only. See <see cref="OriginFetchResult"/>
    /// for what comes back when all fail.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the visitor left).</exception>
    public async Task<OriginFetchResult> FetchAsync(OriginGroupRuntime group, OriginRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(request);
        var retryable = FailoverPlanner.IsRetryable(request.Method) && request.Content is null;
        var (plan, abandonTokens) = Plan(group.Origins, retryable);
        var attempts = new List<OriginAttempt>(plan.Length);
        HttpResponseMessage? last = null;
        OriginEndpoint? lastOrigin = null;
        try
        {
            for (var i = 0; i < plan.Length; i++)
            {
                var origin = group.Origins[plan[i]];
                var isLast = i == plan.Length - 1;

                // Only an attempt with an origin to move on to gives up early; a group of one waits it out.
                var abandon = isLast ? CancellationToken.None : abandonTokens[plan[i]];
                var (attempt, response) = await AttemptAsync(origin, group, request, abandon, cancellationToken);
                attempts.Add(attempt);
                _metrics?.RecordAttempt(attempt);
                Feed(origin.Health, attempt);
                if (attempt.Outcome == OriginAttemptOutcome.Ok)
                {
                    last?.Dispose();
                    return new OriginFetchResult(true, response, origin.Endpoint, attempts);
                }

                if (response is not null)
                {
                    last?.Dispose();
                    (last, lastOrigin) = (response, origin.Endpoint);
                }

                if (!isLast)
                {
                    _metrics?.RecordFailover(origin.Name);
                    OriginsLog.FailedOver(_logger, request.Method.Method, request.PathAndQuery, origin.Name, attempt.Outcome,
                        attempt.Error, (long)attempt.Elapsed.TotalMilliseconds, group.Origins[plan[i + 1]].Name);
                }
            }
        }
        catch
        {
            last?.Dispose();
            throw;
        }

        // Every origin answering a 4xx from the failover set (a page that exists nowhere) is a
        // visitor's 404, not an outage: only a refused, timed-out or 5xx origin is worth a warning.
        if (_logger.IsEnabled(LogLevel.Warning) && attempts.Any(a => a.Outcome != OriginAttemptOutcome.FailoverStatus || a.Status is null or >= 500))
        {
            OriginsLog.AllOriginsFailed(_logger, request.Method.Method, request.PathAndQuery, group.Name,
                string.Join("; ", attempts.Select(a => $"{a.Origin}: {a.Error}")));
        }

        return new OriginFetchResult(false, last, lastOrigin, attempts);
    }

    /// <summary>
    /// The plan, and for each origin that was healthy when it was made the token that is
    /// cancelled once it is not: read together, so an origin that fails meanwhile is left at
    /// once, while one tried because every origin was unhealthy is waited for.
    /// </summary>
    private static (int[] Plan, CancellationToken[] Abandon) Plan(IReadOnlyList<OriginRuntime> origins, bool retryable)
    {
        Span<bool> healthy = stackalloc bool[origins.Count];
        var abandon = new CancellationToken[origins.Count];
        for (var i = 0; i < healthy.Length; i++)
        {
            healthy[i] = origins[i].Health.IsHealthy;
            abandon[i] = healthy[i] ? origins[i].Health.UnhealthyToken : CancellationToken.None;
        }

        return (FailoverPlanner.Plan(healthy, retryable), abandon);
    }

    private static async Task<(OriginAttempt Attempt, HttpResponseMessage? Response)> AttemptAsync(
        OriginRuntime origin, OriginGroupRuntime group, OriginRequest request, CancellationToken abandon, CancellationToken cancellationToken)
    {
        var started = origin.Time.GetTimestamp();
        var sent = await origin.Client.SendAsync(request, origin.Health, abandon, cancellationToken);
        var elapsed = origin.Time.GetElapsedTime(started);
        if (sent.Response is not { } response)
        {
            return (new OriginAttempt(origin.Name, sent.Outcome, elapsed, null, sent.Error), null);
        }

        var status = (int)response.StatusCode;
        if ((request.Release is not null || request.UnderPrefix) && status is >= 300 and < 400 && response.Headers.Location is { } location
            && Releases.ReleaseRedirect.IsMissingFile(location.OriginalString, origin.Endpoint.PathPrefix, "/" + origin.Endpoint.Prefix + ReleaseLayout.ReleasesFolder, origin.Endpoint.Target(request)))
        {
            // The origin's routing rules redirect a file missing from a release to the live release's
            // error document, and a missing record of Tandem's into the live release; behind an edge
            // either is a 404, which may fail over like any other.
            response.Dispose();
            response = new HttpResponseMessage(System.Net.HttpStatusCode.NotFound) { Content = new ByteArrayContent([]) };
            status = 404;
        }

        return group.FailoverStatusCodes.Contains(status)
            ? (new OriginAttempt(origin.Name, OriginAttemptOutcome.FailoverStatus, elapsed, status, $"status {status}"), response)
            : (new OriginAttempt(origin.Name, OriginAttemptOutcome.Ok, elapsed, status, null), response);
    }

    private static void Feed(OriginHealth health, OriginAttempt attempt)
    {
        switch (attempt.Outcome)
        {
            case OriginAttemptOutcome.Ok:
                health.RecordSuccess();
                break;
            case OriginAttemptOutcome.FailoverStatus when attempt.Status >= 500:
                health.RecordFailure(OriginFailureKind.Status, attempt.Error ?? "");
                break;
            case OriginAttemptOutcome.FailoverStatus:
            case OriginAttemptOutcome.Abandoned:
                // A 4xx is one page's answer; an abandoned attempt was counted by whoever found the origin broken.
                break;
            default:
                health.RecordFailure(OriginFailureKind.Transport, $"{OriginAttempt.Label(attempt.Outcome)}: {attempt.Error}");
                break;
        }
    }
}

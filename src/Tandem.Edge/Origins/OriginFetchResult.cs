namespace Tandem.Edge.Origins;

/// <summary>What one request to one origin came to.</summary>
public enum OriginAttemptOutcome
{
    /// <summary>An answer whose status is not in the group's failover set: it goes to the visitor.</summary>
    Ok,

    /// <summary>An answer whose status is in the group's failover set.</summary>
    FailoverStatus,

    /// <summary>No connection: refused, unreachable, name not resolved, TLS handshake failed.</summary>
    ConnectFailure,

    /// <summary>No connection within the connect timeout.</summary>
    ConnectTimeout,

    /// <summary>Connected, but no response headers within the response timeout (a frozen origin).</summary>
    ResponseTimeout,

    /// <summary>Connected, then reset or answered with something that is not HTTP.</summary>
    TransportError,

    /// <summary>
    /// Still waiting when another request or a probe found the origin broken, so this one moved on
    /// to the next origin without waiting out its own timeout.
    /// </summary>
    Abandoned,
}

/// <summary>One origin tried for one request.</summary>
/// <param name="Origin">The origin's name.</param>
/// <param name="Outcome">What came of it.</param>
/// <param name="Elapsed">From sending to response headers or failure, over all connection attempts.</param>
/// <param name="Status">The response status, when there was a response.</param>
/// <param name="Error">What went wrong, for logs; null on <see cref="OriginAttemptOutcome.Ok"/>.</param>
public sealed record OriginAttempt(string Origin, OriginAttemptOutcome Outcome, TimeSpan Elapsed, int? Status, string? Error)
{
    public bool Failed => Outcome != OriginAttemptOutcome.Ok;

    /// <summary>The outcome as a metric label or log word: "ok", "failover_status", "response_timeout", …</summary>
    public static string Label(OriginAttemptOutcome outcome) => outcome switch
    {
        OriginAttemptOutcome.Ok => "ok",
        OriginAttemptOutcome.FailoverStatus => "failover_status",
        OriginAttemptOutcome.ConnectFailure => "connect_failure",
        OriginAttemptOutcome.ConnectTimeout => "connect_timeout",
        OriginAttemptOutcome.ResponseTimeout => "response_timeout",
        OriginAttemptOutcome.TransportError => "transport_error",
        OriginAttemptOutcome.Abandoned => "abandoned",
        _ => "unknown",
    };
}

/// <summary>
/// The answer to a fetch from an origin group: the response to give the visitor (its body not
/// read yet), which origin sent it, and every attempt on the way. Dispose it, or its
/// <see cref="Response"/>, once the body has been used.
/// </summary>
/// <remarks>
/// When every origin failed, <see cref="Succeeded"/> is false and <see cref="Response"/> is the
/// last answer whose status was in the failover set (say the standby's 404), or null when no
/// origin answered at all. The host decides what the visitor gets: a stale copy, a custom error
/// page, that last answer, or a 502/504 of its own. A failed attempt's earlier response never
/// leaves this class, so the primary's error cannot reach a visitor once the standby has answered.
/// </remarks>
public sealed class OriginFetchResult : IDisposable
{
    internal OriginFetchResult(bool succeeded, HttpResponseMessage? response, OriginEndpoint? origin, IReadOnlyList<OriginAttempt> attempts)
    {
        Succeeded = succeeded;
        Response = response;
        Origin = origin;
        Attempts = attempts;
    }

    /// <summary>An origin answered with a status outside the failover set.</summary>
    public bool Succeeded { get; }

    /// <summary>The response, headers read and body not; see the remarks for when it is null.</summary>
    public HttpResponseMessage? Response { get; }

    /// <summary>The origin that sent <see cref="Response"/>, or null.</summary>
    public OriginEndpoint? Origin { get; }

    /// <summary>Every origin tried, in order; empty only when the group has no origins.</summary>
    public IReadOnlyList<OriginAttempt> Attempts { get; }

    /// <summary>More than one origin was tried.</summary>
    public bool FailedOver => Attempts.Count > 1;

    public void Dispose() => Response?.Dispose();
}

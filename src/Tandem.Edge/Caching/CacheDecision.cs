namespace Tandem.Edge.Caching;

/// <summary>
/// What <see cref="FreshnessPolicy.Decide"/> made of one origin response: whether the edge may
/// keep it, for how long it is fresh, and how long after that a stale copy may still be served.
/// </summary>
/// <param name="Storable">False: pass the response through and keep nothing.</param>
/// <param name="FreshnessLifetime">How long after it was generated the response is fresh (RFC 9111 4.2.1), after the policy's clamps.</param>
/// <param name="StaleWhileRevalidate">How long past its lifetime it may be served while a background fetch refreshes it.</param>
/// <param name="StaleIfError">How long past its lifetime it may be served when every origin fails.</param>
/// <param name="MustRevalidate">The origin sent must-revalidate or proxy-revalidate.</param>
/// <param name="InitialAge">The response's age when it arrived (RFC 9111 4.2.3 corrected_initial_age).</param>
/// <param name="Reason">A short phrase for X-Cache-Reason and logs, such as "max-age capped by max-ttl".</param>
public readonly record struct CacheDecision(
    bool Storable,
    TimeSpan FreshnessLifetime,
    TimeSpan StaleWhileRevalidate,
    TimeSpan StaleIfError,
    bool MustRevalidate,
    TimeSpan InitialAge,
    string Reason)
{
    /// <summary>A decision not to store, for <paramref name="reason"/>.</summary>
    public static CacheDecision NotStored(string reason) =>
        new(false, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, false, TimeSpan.Zero, reason);
}

/// <summary>Where a stored response stands at a given moment.</summary>
public enum EntryState
{
    /// <summary>Serve it; no origin contact.</summary>
    Fresh,

    /// <summary>Serve it now and refresh it in the background (stale-while-revalidate).</summary>
    StaleWhileRevalidate,

    /// <summary>Revalidate or refetch before serving; serve it only if that fails and <see cref="FreshnessPolicy.CanServeOnError"/> allows.</summary>
    Stale,
}

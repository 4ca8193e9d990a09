using Tandem.Core.Configuration;
using Tandem.Core.Http;

namespace Tandem.Edge.Caching;

/// <summary>
/// The shared-cache rules of RFC 9111, shaped by a CloudFront cache policy (min/default/max TTL)
/// and the edge's error TTL. Pure: plain inputs in, a decision out.
/// </summary>
/// <remarks>
/// Where the RFC and CloudFront differ, and what Tandem does:
/// <list type="bullet">
/// <item>no-store and private are honoured unless the policy's MinTtl is above 0; then the
/// response is kept for MinTtl, as CloudFront does (the RFC forbids storing it).</item>
/// <item>no-cache keeps the response with lifetime 0 (every use revalidates); with MinTtl above 0
/// it is fresh for MinTtl, as CloudFront does.</item>
/// <item>Without max-age, s-maxage or Expires, statuses the RFC calls heuristically cacheable
/// (and any response marked public) get DefaultTtl, CloudFront's rule, instead of a heuristic.</item>
/// <item>Errors: 5xx are kept for the error TTL, never longer than their own max-age (CloudFront
/// keeps them for the larger of the two). A 4xx with max-age, s-maxage or Expires follows the
/// normal rules; 404, 405, 410 and 414 without them get the error TTL; other 4xx are not kept.
/// Errors are never served stale.</item>
/// <item>206 is not kept (the cache holds whole objects and serves ranges from them); 416 is
/// never kept (CloudFront).</item>
/// <item>Vary naming only Accept-Encoding is fine (the edge negotiates codings itself); any other
/// Vary, and Set-Cookie, make a response not storable: a shared cache must not mix them.</item>
/// <item>Stale serving: must-revalidate and proxy-revalidate are honoured strictly (no
/// stale-while-revalidate, no policy StaleIfErrorTtl), and so is no-cache when MinTtl is 0 (RFC
/// 9111 4.2.4). An explicit stale-if-error still applies then (RFC 5861 section 4: "regardless of
/// other freshness information"). s-maxage's implied proxy-revalidate (RFC 9111 5.2.2.10) is
/// not applied: origins use s-maxage to set the CDN's TTL, and CloudFront serves stale anyway.</item>
/// <item>The stale-if-error window is the larger of the directive and the policy's
/// StaleIfErrorTtl, except that stale-if-error=0 turns it off (CloudFront's documented opt-out).</item>
/// </list>
/// </remarks>
public static class FreshnessPolicy
{
    /// <summary>Decides whether and for how long a response to a GET or HEAD may be kept.</summary>
    /// <param name="status">The origin's status code.</param>
    /// <param name="headers">The origin's response headers, as received.</param>
    /// <param name="requestTime">When the request to the origin was sent.</param>
    /// <param name="responseTime">When the response arrived.</param>
    /// <param name="policy">The behavior's TTL bounds.</param>
    /// <param name="errorTtl">How long an error response is kept (the edge's ErrorTtl).</param>
    public static CacheDecision Decide(
        int status,
        ResponseHeaders headers,
        DateTimeOffset requestTime,
        DateTimeOffset responseTime,
        CachePolicyConfig policy,
        TimeSpan errorTtl)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(policy);

        if (status is < 200 or > 599 || status == 304)
        {
            return CacheDecision.NotStored($"status {status} is not a storable response");
        }

        if (status is 206 or 416)
        {
            return CacheDecision.NotStored($"status {status} is never stored");
        }

        if (headers.Contains("Set-Cookie"))
        {
            return CacheDecision.NotStored("set-cookie");
        }

        if (UnsupportedVary(headers) is { } vary)
        {
            return CacheDecision.NotStored($"vary {vary}");
        }

        var cc = CacheControl.Parse(headers);
        var minTtl = Seconds(policy.MinTtl);
        var explicitLifetime = ExplicitLifetime(cc, headers, responseTime, out var source);
        var age = InitialAge(headers, requestTime, responseTime);
        var mustRevalidate = cc.MustRevalidate || cc.ProxyRevalidate;

        if (status >= 400)
        {
            var errorLifetime = ErrorLifetime(status, cc, explicitLifetime, errorTtl, out var errorReason);
            if (errorLifetime is { } lifetime)
            {
                return lifetime > TimeSpan.Zero
                    ? new CacheDecision(true, lifetime, TimeSpan.Zero, TimeSpan.Zero, mustRevalidate, age, errorReason)
                    : CacheDecision.NotStored(errorReason);
            }
        }

        TimeSpan freshness;
        string reason;
        if (cc.NoStore || cc.Private)
        {
            var directive = cc.NoStore ? "no-store" : "private";
            if (minTtl <= TimeSpan.Zero)
            {
                return CacheDecision.NotStored(directive);
            }

            (freshness, reason) = (minTtl, directive + " kept for min-ttl");
        }
        else if (cc.NoCache)
        {
            (freshness, reason) = minTtl > TimeSpan.Zero ? (minTtl, "no-cache kept for min-ttl") : (TimeSpan.Zero, "no-cache");
        }
        else if (explicitLifetime is { } given)
        {
            (freshness, reason) = Clamp(given, source, minTtl, Seconds(policy.MaxTtl));
        }
        else if (IsHeuristicallyCacheable(status) || cc.Public)
        {
            var defaultTtl = Seconds(policy.DefaultTtl);
            (freshness, reason) = defaultTtl < minTtl ? (minTtl, "default-ttl raised to min-ttl") : (defaultTtl, "default-ttl");
        }
        else
        {
            return CacheDecision.NotStored($"status {status} without freshness information");
        }

        if (status >= 400)
        {
            return new CacheDecision(true, freshness, TimeSpan.Zero, TimeSpan.Zero, mustRevalidate, age, reason);
        }

        var (staleWhileRevalidate, staleIfError) = StaleWindows(cc, minTtl, Seconds(policy.StaleIfErrorTtl));
        return new CacheDecision(true, freshness, staleWhileRevalidate, staleIfError, mustRevalidate, age, reason);
    }

    /// <summary>
    /// The age of a response when it arrived (RFC 9111 4.2.3): the larger of the apparent age
    /// (arrival minus Date) and the Age header plus the time the request took.
    /// </summary>
    public static TimeSpan InitialAge(ResponseHeaders headers, DateTimeOffset requestTime, DateTimeOffset responseTime)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var ageValue = TimeSpan.Zero;
        foreach (var value in headers.GetAll("Age"))
        {
            if (CacheControl.TryParseDeltaSeconds(value.AsSpan().Trim(" \t"), out var seconds))
            {
                ageValue = TimeSpan.FromSeconds(seconds);
                break;
            }
        }

        var apparentAge = HttpDate.TryParse(headers.Get("Date"), out var date) ? Max(TimeSpan.Zero, responseTime - date) : TimeSpan.Zero;
        var responseDelay = Max(TimeSpan.Zero, responseTime - requestTime);
        return Max(apparentAge, ageValue + responseDelay);
    }

    /// <summary>Where <paramref name="entry"/> stands at <paramref name="now"/>.</summary>
    public static EntryState State(CacheEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var age = entry.CurrentAge(now);
        var decision = entry.Decision;
        if (age < decision.FreshnessLifetime)
        {
            return EntryState.Fresh;
        }

        return age < decision.FreshnessLifetime + decision.StaleWhileRevalidate ? EntryState.StaleWhileRevalidate : EntryState.Stale;
    }

    /// <summary>
    /// True when <paramref name="entry"/> may answer a request at <paramref name="now"/> although
    /// the origins failed: it is fresh, or within its stale-while-revalidate or stale-if-error window.
    /// </summary>
    public static bool CanServeOnError(CacheEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var decision = entry.Decision;
        return entry.CurrentAge(now) < decision.FreshnessLifetime + Max(decision.StaleWhileRevalidate, decision.StaleIfError);
    }

    /// <summary>
    /// Applies a 304 from revalidation to <paramref name="old"/> (RFC 9111 4.3.4): the 304's
    /// header fields replace the stored ones of the same name (except hop-by-hop fields,
    /// Content-Length and Content-Encoding, which describe the stored body), and freshness is
    /// decided again from the merged fields. Null when the 304 names another representation
    /// (its ETag or Last-Modified differs) or the merged response may no longer be stored; the
    /// host then drops the entry and fetches without conditions.
    /// </summary>
    /// <param name="origin">The origin that sent the 304, which the refreshed entry names from now on; null keeps the old one's.</param>
    public static CacheEntry? Refresh(
        CacheEntry old,
        ResponseHeaders notModified,
        DateTimeOffset requestTime,
        DateTimeOffset responseTime,
        CachePolicyConfig policy,
        TimeSpan errorTtl,
        string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(notModified);
        if (!SameRepresentation(old, notModified))
        {
            return null;
        }

        var merged = StoredFields.Merge(old.Headers, notModified);

        // Age is never stored; the 304's own Age counts towards the refreshed response's age.
        var forDecision = new List<KeyValuePair<string, string>>(merged);
        foreach (var age in notModified.GetAll("Age"))
        {
            forDecision.Add(new("Age", age));
        }

        var decision = Decide(old.Status, new ResponseHeaders(forDecision), requestTime, responseTime, policy, errorTtl);
        return decision.Storable ? old.Refreshed(ResponseHeaders.Wrap(merged), decision, requestTime, responseTime, origin ?? old.Origin) : null;
    }

    // RFC 9111 4.3.4: a 304 with a validator updates only the stored response it matches.
    private static bool SameRepresentation(CacheEntry old, ResponseHeaders notModified)
    {
        if (notModified.Get("ETag") is { } etag)
        {
            return old.ETag is { } stored && EntityTag.ListMatches(etag, stored, strong: false);
        }

        if (notModified.Get("Last-Modified") is { } lastModified)
        {
            return old.LastModified is { } stored && HttpDate.TryParse(lastModified, out var date) && date == stored;
        }

        return true;
    }

    // How long past its lifetime a successful response may be served (see the remarks above).
    private static (TimeSpan WhileRevalidate, TimeSpan IfError) StaleWindows(CacheControl cc, TimeSpan minTtl, TimeSpan policyIfError)
    {
        var forbidden = cc.MustRevalidate || cc.ProxyRevalidate || (cc.NoCache && minTtl <= TimeSpan.Zero);
        var ifError = cc.StaleIfError ?? TimeSpan.Zero;
        if (forbidden)
        {
            return (TimeSpan.Zero, ifError);
        }

        var whileRevalidate = cc.StaleWhileRevalidate ?? TimeSpan.Zero;
        return (whileRevalidate, cc.StaleIfError == TimeSpan.Zero ? TimeSpan.Zero : Max(ifError, policyIfError));
    }

    // Lifetime of an error response, or null when the normal rules apply (a 4xx with explicit freshness).
    private static TimeSpan? ErrorLifetime(int status, CacheControl cc, TimeSpan? explicitLifetime, TimeSpan errorTtl, out string reason)
    {
        var restricted = cc.NoStore || cc.Private || cc.NoCache;
        if (status < 500 && (explicitLifetime is not null || restricted))
        {
            reason = "";
            return null;
        }

        if (status < 500 && !IsHeuristicallyCacheable(status) && !cc.Public)
        {
            reason = $"status {status} without freshness information";
            return TimeSpan.Zero;
        }

        if (restricted)
        {
            reason = "error response forbids storing";
            return TimeSpan.Zero;
        }

        if (explicitLifetime is { } own && own < errorTtl)
        {
            reason = "error-ttl capped by " + (own == TimeSpan.Zero ? "a zero lifetime" : "its own lifetime");
            return own;
        }

        reason = errorTtl > TimeSpan.Zero ? "error-ttl" : "error-ttl is 0";
        return errorTtl;
    }

    // s-maxage over max-age over Expires minus Date (RFC 9111 4.2.1); null when none is given.
    private static TimeSpan? ExplicitLifetime(CacheControl cc, ResponseHeaders headers, DateTimeOffset responseTime, out string source)
    {
        if (cc.SharedMaxAge is { } shared)
        {
            source = "s-maxage";
            return shared;
        }

        if (cc.MaxAge is { } maxAge)
        {
            source = "max-age";
            return maxAge;
        }

        source = "expires";
        string? expires = null;
        foreach (var value in headers.GetAll("Expires"))
        {
            if (expires is null)
            {
                expires = value;
            }
            else if (!string.Equals(expires.Trim(), value.Trim(), StringComparison.Ordinal))
            {
                // Two different Expires: the response counts as stale (RFC 9111 4.2.1).
                return TimeSpan.Zero;
            }
        }

        if (expires is null)
        {
            return null;
        }

        // An invalid date, "0" above all, means already expired (RFC 9111 5.3).
        if (!HttpDate.TryParse(expires, out var expiresAt))
        {
            return TimeSpan.Zero;
        }

        var date = HttpDate.TryParse(headers.Get("Date"), out var dateValue) ? dateValue : responseTime;
        return Max(TimeSpan.Zero, expiresAt - date);
    }

    private static (TimeSpan Lifetime, string Reason) Clamp(TimeSpan given, string source, TimeSpan min, TimeSpan max)
    {
        if (given < min)
        {
            return (min, source + " raised to min-ttl");
        }

        return given > max ? (max, source + " capped by max-ttl") : (given, source);
    }

    // The first Vary member other than Accept-Encoding, or null.
    private static string? UnsupportedVary(ResponseHeaders headers)
    {
        foreach (var line in headers.GetAll("Vary"))
        {
            foreach (var member in line.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!member.Equals("Accept-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    return member;
                }
            }
        }

        return null;
    }

    // RFC 9110 15.1 lists these as heuristically cacheable; 206 is left to the caller above.
    private static bool IsHeuristicallyCacheable(int status) =>
        status is 200 or 203 or 204 or 206 or 300 or 301 or 308 or 404 or 405 or 410 or 414 or 501;

    // Policy values are validated elsewhere; the cap (about 2,000 years) only keeps sums from overflowing.
    private static TimeSpan Seconds(long seconds) => TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 1L << 36));

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

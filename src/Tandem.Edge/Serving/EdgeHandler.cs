using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Tandem.Core.Configuration;
using Tandem.Core.Http;
using Tandem.Core.Releases;
using Tandem.Edge.Caching;
using Tandem.Edge.Origins;
using Tandem.Edge.Releases;

namespace Tandem.Edge.Serving;

/// <summary>
/// One visitor request through the edge: behavior, cache, origin group with failover, and the
/// response. GET and HEAD are answered from the cache when it can; a miss or a stale copy makes
/// one collapsed fetch per key; when every origin fails, a cached copy still answers.
/// </summary>
public sealed partial class EdgeHandler
{
    private static readonly string[] HopByHop =
    [
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "TE", "Trailer",
        "Content-Length", "Age", "Server", "X-Cache", "X-Tandem-Origin", ReleasePin.Header,
    ];

    private readonly EdgeOptions _options;
    private readonly BehaviorTable _behaviors;
    private readonly ResponseCache _cache;
    private readonly RequestCollapser _collapser;
    private readonly OriginGroupFetcher _fetcher;
    private readonly EdgeMetrics _metrics;
    private readonly AccessLog _accessLog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReleaseState _releases;
    private readonly string _via;

    internal EdgeHandler(EdgeOptions options, BehaviorTable behaviors, ResponseCache cache, RequestCollapser collapser, OriginGroupFetcher fetcher,
        EdgeMetrics metrics, AccessLog accessLog, TimeProvider time, ILogger logger, ReleaseState releases)
    {
        _releases = releases;
        _options = options;
        _behaviors = behaviors;
        _cache = cache;
        _collapser = collapser;
        _fetcher = fetcher;
        _metrics = metrics;
        _accessLog = accessLog;
        _time = time;
        _logger = logger;
        _via = $"1.1 {options.Name} (tandem)";
    }

    /// <summary>The bound HTTPS port, set once the listener has started; redirects name it.</summary>
    public int? HttpsPort { get; set; }

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var response = context.Response;
        var outcome = new Outcome();
        try
        {
            var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
            if (!TryReadTarget(rawTarget, out var path, out var query))
            {
                await WriteErrorAsync(context, 400, "Bad Request", "The request path is not valid.", outcome);
                return;
            }

            if (IsReserved(path))
            {
                await WriteErrorAsync(context, 404, "Not Found", "There is no such page.", outcome);
                return;
            }

            if (_options.RedirectHttpToHttps && !request.IsHttps && _options.HttpsListen is { } https)
            {
                // The port the HTTPS listener really bound (a configured port 0 is picked at start).
                var httpsPort = HttpsPort ?? https.Port;
                var host = request.Host.Host;
                var port = httpsPort == 443 ? "" : ":" + httpsPort.ToString(CultureInfo.InvariantCulture);
                response.StatusCode = StatusCodes.Status301MovedPermanently;
                response.Headers.Location = $"https://{host}{port}{rawTarget}";
                outcome.Cache = "Redirect";
                return;
            }

            var behavior = _behaviors.Match(path);
            outcome.Behavior = behavior.Config.PathPattern;
            var method = request.Method;
            if (!behavior.Allows(method))
            {
                await WriteErrorAsync(context, 403, "Method Not Allowed", $"{method} is not allowed for this path.", outcome);
                return;
            }

            var originPath = OriginPath(path);
            var release = _releases.Live is { } live ? ChooseRelease(context, live.View, path, outcome) : null;

            // A shared cache never answers (or stores) a request that carries credentials.
            if ((HttpMethods.IsGet(method) || HttpMethods.IsHead(method)) && request.Headers.Authorization.Count == 0)
            {
                await ServeCachedAsync(context, behavior, originPath, query, outcome, release);
            }
            else
            {
                await ForwardAsync(context, behavior, originPath, query, outcome, release);
            }
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            outcome.Cache = "Aborted";
        }
        catch (Exception ex)
        {
            EdgeLog.Unhandled(_logger, ex, request.Method, request.Path.Value ?? "");
            if (!response.HasStarted)
            {
                await WriteErrorAsync(context, 500, "Internal Error", "The edge could not answer this request.", outcome);
            }
            else
            {
                context.Abort();
            }
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            _metrics.Request(response.StatusCode, outcome.Cache, outcome.Bytes, elapsed);
            _accessLog.Write(context, outcome, elapsed);
        }
    }

    /// <summary>The release that answers: the live one, or the one the visitor's cookie pins (see <see cref="ReleasePin"/>).</summary>
    private ReleaseView ChooseRelease(HttpContext context, ReleaseView live, string path, Outcome outcome)
    {
        var headers = context.Request.Headers;
        var pin = Pin(live, path, headers["Sec-Fetch-Dest"], headers.Accept, headers.Cookie);
        var release = pin.Release ?? live;
        outcome.Release = release.Id;
        outcome.PinCookie = pin.SetCookie;
        return release;
    }

    private PinDecision Pin(ReleaseView live, string path, string? secFetchDest, string? accept, string? cookie) =>
        ReleasePin.Decide(live, _options.Distribution.ReleasePinSeconds, path, secFetchDest, accept, cookie, _releases.Find);

    /// <summary>The path (percent-decoded) and query of a raw request target; false when it is not a valid path.</summary>
    private static bool TryReadTarget(string rawTarget, out string path, out string? query)
    {
        query = null;
        if (!UrlPath.TryGetPath(rawTarget, out var rawPath) || !UrlPath.TryDecode(rawPath, out path) || !path.StartsWith('/'))
        {
            path = "";
            return false;
        }

        var q = rawTarget.IndexOf('?');
        query = q < 0 ? null : rawTarget[(q + 1)..];
        return true;
    }

    /// <summary>Tandem's own records (manifests, live.json) are not site content.</summary>
    private static bool IsReserved(string path) => path.StartsWith("/_tandem/", StringComparison.Ordinal) || path == "/_tandem";

    /// <summary>The path asked of the origin: the default root object for "/".</summary>
    private string OriginPath(string path) =>
        path == "/" && _options.Distribution.DefaultRootObject is { Length: > 0 } root ? "/" + root : path;

    private static string KeyOf(Behavior behavior, string originPath, string? query, ReleaseView? release)
    {
        var policy = behavior.Config.CachePolicy;
        return release is null ? CacheKey.Create(originPath, query, policy.QueryStringInKey) : release.Key(originPath, query, policy.QueryStringInKey);
    }

    private async Task ServeCachedAsync(HttpContext context, Behavior behavior, string originPath, string? query, Outcome outcome, ReleaseView? release)
    {
        var key = KeyOf(behavior, originPath, query, release);
        var now = _time.GetUtcNow();
        _cache.TryGet(key, out var cached);
        if (cached is not null)
        {
            var state = FreshnessPolicy.State(cached, now);
            if (state == EntryState.Fresh)
            {
                await ServeEntryAsync(context, behavior, cached, "Hit", outcome);
                return;
            }

            if (state == EntryState.StaleWhileRevalidate)
            {
                _ = RefreshInBackgroundAsync(key, behavior, originPath, query, cached, release?.Id);
                await ServeEntryAsync(context, behavior, cached, "Stale", outcome);
                return;
            }
        }

        var fetched = await FetchCollapsedAsync(context, key, behavior, originPath, query, cached, release?.Id);
        await RespondAsync(context, behavior, fetched, cached, outcome, release);
    }

    private async Task RespondAsync(HttpContext context, Behavior behavior, Fetched fetched, CacheEntry? cached, Outcome outcome, ReleaseView? release)
    {
        var now = _time.GetUtcNow();
        if (fetched.Streaming is { } live)
        {
            await StreamAsync(context, live.Result, outcome);
            return;
        }

        if (fetched.Entry is { } entry && entry.Status < 500)
        {
            // A 4xx the origin sent may be replaced by the site's own page.
            if (entry.Status >= 400 && CustomError(entry.Status) is { } custom)
            {
                await ServeCustomErrorAsync(context, behavior, custom, entry.Status, outcome, release);
                return;
            }

            await ServeEntryAsync(context, behavior, entry, fetched.CacheStatus, outcome);
            return;
        }

        // Every origin failed, or the answer is a 5xx: a good cached copy is worth more than an error.
        if (cached is not null && FreshnessPolicy.CanServeOnError(cached, now))
        {
            await ServeEntryAsync(context, behavior, cached, "Stale", outcome);
            return;
        }

        var status = fetched.Entry?.Status ?? fetched.FailureStatus;
        outcome.Origin ??= fetched.Entry?.Origin;
        if (CustomError(status) is { } page)
        {
            await ServeCustomErrorAsync(context, behavior, page, status, outcome, release);
            return;
        }

        if (fetched.Entry is { } error)
        {
            await ServeEntryAsync(context, behavior, error, "Error", outcome);
            return;
        }

        await WriteErrorAsync(context, status, status == 504 ? "Gateway Timeout" : "Bad Gateway",
            $"No origin could answer: {fetched.FailureReason}", outcome);
    }

    private CustomErrorResponseConfig? CustomError(int status)
    {
        foreach (var c in _options.Distribution.CustomErrorResponses)
        {
            if (c.ErrorCode == status && c.ResponsePagePath is not null)
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>Answers with the site's own error page, itself served through the cache (stale allowed when origins are down).</summary>
    private async Task ServeCustomErrorAsync(HttpContext context, Behavior errorBehavior, CustomErrorResponseConfig custom, int originalStatus, Outcome outcome, ReleaseView? release)
    {
        var pagePath = custom.ResponsePagePath!;
        var behavior = _behaviors.Match(pagePath);
        var key = release is null ? CacheKey.Create(pagePath, null, false) : release.Key(pagePath, null, false);
        var now = _time.GetUtcNow();
        _cache.TryGet(key, out var page);
        if (page is null || FreshnessPolicy.State(page, now) != EntryState.Fresh)
        {
            var fetched = await FetchCollapsedAsync(context, key, behavior, pagePath, null, page, release?.Id);
            if (fetched.Entry is { Status: 200 } fresh)
            {
                page = fresh;
            }
            else if (page is null || !FreshnessPolicy.CanServeOnError(page, now))
            {
                page = null;
            }
        }

        var status = custom.ResponseCode ?? originalStatus;
        if (page is null)
        {
            await WriteErrorAsync(context, status, "Error", $"The origin answered {originalStatus} and the error page {pagePath} is not available.", outcome);
            return;
        }

        context.Response.Headers.CacheControl = $"max-age={custom.TtlSeconds}";
        await ServeEntryAsync(context, errorBehavior, page, "Error", outcome, statusOverride: status);
    }

    private async Task<Fetched> FetchCollapsedAsync(HttpContext context, string key, Behavior behavior, string originPath, string? query, CacheEntry? stale, string? release)
    {
        var wait = TimeSpan.FromMilliseconds(_options.Cache.CollapseWaitMs);
        try
        {
            var fetched = await _collapser.RunAsync(key, ct => FetchAsync(key, behavior, originPath, query, stale, Forwarded(context), release, ct), wait, context.RequestAborted);

            // A response too large to share goes to the waiter that claims it; the others fetch their own.
            return fetched.Streaming is { } live && !live.TryClaim()
                ? await FetchAsync(key, behavior, originPath, query, stale, Forwarded(context), release, context.RequestAborted)
                : fetched;
        }
        catch (CollapseTimeoutException)
        {
            return await FetchAsync(key, behavior, originPath, query, stale, Forwarded(context), release, context.RequestAborted);
        }
    }

    private static string? Forwarded(HttpContext context) => context.Connection.RemoteIpAddress?.ToString();

    private async Task RefreshInBackgroundAsync(string key, Behavior behavior, string originPath, string? query, CacheEntry stale, string? release)
    {
        try
        {
            await _collapser.RunAsync(key, ct => FetchAsync(key, behavior, originPath, query, stale, null, release, ct),
                TimeSpan.FromMilliseconds(_options.Cache.CollapseWaitMs), CancellationToken.None);
        }
        catch (Exception ex)
        {
            EdgeLog.RefreshFailed(_logger, ex, originPath);
        }
    }

    /// <summary>
    /// Fetches <paramref name="originPath"/> from the behavior's origin group (revalidating
    /// <paramref name="stale"/> when it has validators), stores what may be stored, and never
    /// lets an error replace a copy that can still be served. With a <paramref name="release"/>,
    /// each origin is asked for its copy of that release, and <paramref name="key"/> is that
    /// release's key, so what is stored always belongs to the release the key names.
    /// </summary>
    private async Task<Fetched> FetchAsync(string key, Behavior behavior, string originPath, string? query, CacheEntry? stale, string? forwardedFor, string? release, CancellationToken cancellationToken)
    {
        var headers = new List<KeyValuePair<string, string>>(3) { new("Accept-Encoding", "identity") };
        if (stale is not null)
        {
            if (stale.ETag is { } etag)
            {
                headers.Add(new(HeaderNames.IfNoneMatch, etag));
            }

            if (stale.LastModified is { } lm)
            {
                headers.Add(new(HeaderNames.IfModifiedSince, HttpDate.Format(lm)));
            }
        }

        var requestTime = _time.GetUtcNow();
        var result = await _fetcher.FetchAsync(behavior.Target, new OriginRequest
        {
            Method = HttpMethod.Get,
            PathAndQuery = query is null ? originPath : originPath + "?" + query,
            Release = release,
            Headers = headers,
            ForwardedFor = forwardedFor,
            Via = _via,
        }, cancellationToken);

        var policy = behavior.Config.CachePolicy;
        var errorTtl = TimeSpan.FromSeconds(_options.Cache.ErrorTtl);
        if (!result.Succeeded || result.Response is null)
        {
            using (result)
            {
                var last = result.Attempts.Count > 0 ? result.Attempts[^1] : null;
                var failure = last?.Outcome is OriginAttemptOutcome.ResponseTimeout or OriginAttemptOutcome.ConnectTimeout ? 504 : 502;

                // The last failover status an origin sent (say 404 from a bucket whose website is off) is what visitors would have seen.
                if (result.Response is { } lastResponse)
                {
                    return await ReadAsync(result, lastResponse, key, behavior, requestTime, stale, release, store: false);
                }

                return Fetched.Failed(failure, string.Join("; ", result.Attempts.Select(a => $"{a.Origin}: {OriginAttempt.Label(a.Outcome)}")));
            }
        }

        var response = result.Response;
        var responseTime = _time.GetUtcNow();
        if ((int)response.StatusCode == 304 && stale is not null)
        {
            using (result)
            {
                // X-Tandem-Origin then names the origin that answered, which is the standby during a failover.
                var refreshed = FreshnessPolicy.Refresh(stale, ToHeaders(response, null), requestTime, responseTime, policy, errorTtl, result.Origin?.Name);
                if (refreshed is not null)
                {
                    _cache.Set(key, refreshed);
                    return new Fetched(refreshed, "RefreshHit");
                }
            }

            // The 304 did not fit what we hold: ask again without conditions.
            return await FetchAsync(key, behavior, originPath, query, null, forwardedFor, release, cancellationToken);
        }

        return await ReadAsync(result, response, key, behavior, requestTime, stale, release, store: true);
    }

    private async Task<Fetched> ReadAsync(OriginFetchResult result, HttpResponseMessage response, string key, Behavior behavior, DateTimeOffset requestTime, CacheEntry? stale, string? release, bool store)
    {
        var status = (int)response.StatusCode;

        // A website endpoint's own redirect ("dir" to "dir/") names the release's folder; visitors must not see it.
        var headers = ToHeaders(response, release is not null && status is >= 300 and < 400 && result.Origin is { } o ? ReleaseLayout.UrlPathPrefix(o.Prefix, release) : null);
        var length = response.Content.Headers.ContentLength;
        var max = _options.Cache.MaxObjectBytes;
        if (length > max)
        {
            // Streams through to one visitor; nothing is cached.
            return new Fetched(null, "Miss") { Streaming = new StreamingResponse(result) };
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(response, max);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            result.Dispose();
            return Fetched.Failed(502, $"{result.Origin?.Name}: body not received whole ({ex.Message})");
        }

        result.Dispose();
        var origin = result.Origin?.Name ?? "";
        var responseTime = _time.GetUtcNow();
        var decision = FreshnessPolicy.Decide(status, headers, requestTime, responseTime, behavior.Config.CachePolicy, TimeSpan.FromSeconds(_options.Cache.ErrorTtl));
        // A response that may not be stored still travels as an entry (to this visitor and the
        // collapsed waiters), fresh for no time at all.
        var carrier = decision.Storable
            ? decision
            : decision with { Storable = true, FreshnessLifetime = TimeSpan.Zero, StaleIfError = TimeSpan.Zero, StaleWhileRevalidate = TimeSpan.Zero };
        var entry = CacheEntry.Create(status, headers, body, carrier, origin, requestTime, responseTime);

        // An error never replaces a copy that can still be served.
        var keepStale = status >= 500 && stale is not null && FreshnessPolicy.CanServeOnError(stale, responseTime);
        if (store && decision.Storable && !keepStale)
        {
            _cache.Set(key, entry);
        }

        return new Fetched(entry, "Miss");
    }

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, long max)
    {
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var ms = response.Content.Headers.ContentLength is { } n ? new MemoryStream((int)n) : new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            ms.Write(buffer, 0, read);
            if (ms.Length > max)
            {
                throw new IOException($"body larger than {max} bytes without a Content-Length");
            }
        }

        if (response.Content.Headers.ContentLength is { } expected && ms.Length != expected)
        {
            throw new IOException($"got {ms.Length} of {expected} bytes");
        }

        return ms.ToArray();
    }

    /// <param name="releasePrefix">"/P releases/ID" to take out of a Location header, or null.</param>
    private static ResponseHeaders ToHeaders(HttpResponseMessage response, string? releasePrefix)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in response.Headers)
        {
            foreach (var v in values)
            {
                list.Add(new(name, releasePrefix is not null && name.Equals(HeaderNames.Location, StringComparison.OrdinalIgnoreCase) ? ReleaseRedirect.Strip(v, releasePrefix) : v));
            }
        }

        foreach (var (name, values) in response.Content.Headers)
        {
            foreach (var v in values)
            {
                list.Add(new(name, v));
            }
        }

        return new ResponseHeaders(list);
    }
}

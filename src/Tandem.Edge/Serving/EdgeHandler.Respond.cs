using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Tandem.Core.Http;
using Tandem.Edge.Caching;
using Tandem.Edge.Origins;
using Tandem.Edge.Releases;

namespace Tandem.Edge.Serving;

public sealed partial class EdgeHandler
{
    /// <summary>
    /// Answers from an entry: the visitor's conditions (304/412), a range of the identity body,
    /// or the body in the best encoding the visitor accepts, with the edge's own headers.
    /// </summary>
    private async Task ServeEntryAsync(HttpContext context, Behavior behavior, CacheEntry entry, string cacheStatus, Outcome outcome, int? statusOverride = null)
    {
        var request = context.Request;
        var response = context.Response;
        var now = _time.GetUtcNow();
        outcome.Cache = cacheStatus;
        outcome.Origin = entry.Origin;
        var status = statusOverride ?? entry.Status;
        CopyEntryHeaders(response.Headers, entry, keepCacheControl: statusOverride is null);
        response.Headers.Age = ((long)entry.CurrentAge(now).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        AddEdgeHeaders(context, cacheStatus, entry.Origin, outcome);

        var etag = entry.ETag;
        if (status == 200 && etag is not null || entry.LastModified is not null)
        {
            var conditions = HttpConditions.Evaluate(request.Headers.IfMatch, request.Headers.IfNoneMatch, request.Headers.IfModifiedSince, request.Headers.IfUnmodifiedSince,
                etag ?? "", entry.LastModified ?? DateTimeOffset.MinValue);
            if (status == 200 && conditions == PreconditionResult.NotModified)
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                response.Headers.ContentLength = null;
                response.Headers.ContentType = default;
                return;
            }

            if (status == 200 && conditions == PreconditionResult.PreconditionFailed)
            {
                response.Headers.Clear();
                await WriteErrorAsync(context, 412, "Precondition Failed", "A precondition in the request did not hold.", outcome);
                return;
            }
        }

        var body = entry.Body;
        response.StatusCode = status;
        var rangeHeader = request.Headers.Range.ToString();
        if (status == 200 && rangeHeader.Length > 0 && HttpConditions.IfRangeHolds(request.Headers.IfRange, etag ?? "", entry.LastModified ?? DateTimeOffset.MinValue))
        {
            var range = ByteRange.Evaluate(rangeHeader, body.Length);
            if (range.Kind == RangeKind.NotSatisfiable)
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = range.ContentRange(body.Length);
                response.ContentLength = 0;
                return;
            }

            if (range.Kind == RangeKind.Partial)
            {
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = range.ContentRange(body.Length);
                body = body.Slice((int)range.Start, (int)range.Length);
                await WriteBodyAsync(context, body, outcome);
                return;
            }
        }

        body = ApplyCoding(response.Headers, behavior, entry, request.Headers.AcceptEncoding);
        await WriteBodyAsync(context, body, outcome);
    }

    /// <summary>The entry's stored fields a response carries (hop-by-hop ones left out; Cache-Control too when a custom error answers with the entry).</summary>
    private static void CopyEntryHeaders(IHeaderDictionary headers, CacheEntry entry, bool keepCacheControl)
    {
        foreach (var (name, value) in entry.Headers)
        {
            if (!IsHopByHop(name) && (keepCacheControl || !name.Equals(HeaderNames.CacheControl, StringComparison.OrdinalIgnoreCase)))
            {
                headers.Append(name, value);
            }
        }
    }

    /// <summary>
    /// The body to send in the best coding the visitor accepts, with Vary, Content-Encoding and
    /// the variant's ETag set on <paramref name="headers"/>; the identity body when the behavior
    /// does not compress or the entry is not compressible.
    /// </summary>
    private static ReadOnlyMemory<byte> ApplyCoding(IHeaderDictionary headers, Behavior behavior, CacheEntry entry, string? acceptEncoding)
    {
        if (!behavior.Config.Compress || !entry.Compressible)
        {
            return entry.Body;
        }

        headers.Append(HeaderNames.Vary, "Accept-Encoding");
        var coding = Compression.Negotiate(acceptEncoding);
        if (coding != ContentCoding.Identity && entry.TryGetVariant(coding, out var compressed))
        {
            headers.ContentEncoding = Compression.Token(coding);
            if (Compression.VariantETag(entry.ETag) is { } variantTag)
            {
                headers.ETag = variantTag;
            }

            return compressed;
        }

        return entry.Body;
    }

    private static async Task WriteBodyAsync(HttpContext context, ReadOnlyMemory<byte> body, Outcome outcome)
    {
        context.Response.ContentLength = body.Length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        outcome.Bytes = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private void AddEdgeHeaders(HttpContext context, string cacheStatus, string? origin, Outcome outcome) =>
        AddEdgeHeaders(context.Response.Headers, context.Request.IsHttps, cacheStatus, origin, outcome.Release, outcome.PinCookie);

    /// <summary>X-Cache, the origin's name, the release, Via and the security headers.</summary>
    private void AddEdgeHeaders(IHeaderDictionary headers, bool isHttps, string cacheStatus, string? origin, string? release, bool pinCookie)
    {
        headers["X-Cache"] = cacheStatus;
        if (!string.IsNullOrEmpty(origin))
        {
            headers["X-Tandem-Origin"] = origin;
        }

        if (release is not null)
        {
            // Per response, never stored in an entry: a cached copy serves pinned and unpinned visitors alike.
            headers[ReleasePin.Header] = release;
            if (pinCookie)
            {
                headers.Append(HeaderNames.SetCookie, ReleasePin.SetCookie(release, _options.Distribution.ReleasePinSeconds));
            }
        }

        headers.Via = _via;
        var security = _options.Distribution.SecurityHeaders;
        if (!security.Enabled)
        {
            return;
        }

        foreach (var (name, value) in security.Headers)
        {
            if (security.Override || !headers.ContainsKey(name))
            {
                headers[name] = value;
            }
        }

        if (isHttps && security.StrictTransportSecurity is { } hsts && (security.Override || !headers.ContainsKey(HeaderNames.StrictTransportSecurity)))
        {
            headers.StrictTransportSecurity = hsts;
        }
    }

    private static bool IsHopByHop(string name)
    {
        foreach (var h in HopByHop)
        {
            if (h.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Streams a live origin response that is too large to cache.</summary>
    private async Task StreamAsync(HttpContext context, OriginFetchResult result, Outcome outcome)
    {
        using (result)
        {
            var origin = result.Response!;
            var response = context.Response;
            response.StatusCode = (int)origin.StatusCode;
            foreach (var (name, values) in origin.Headers.Concat(origin.Content.Headers))
            {
                if (!IsHopByHop(name))
                {
                    response.Headers[name] = values.ToArray();
                }
            }

            response.ContentLength = origin.Content.Headers.ContentLength;
            outcome.Cache = "Miss";
            outcome.Origin = result.Origin?.Name;
            AddEdgeHeaders(context, "Miss", result.Origin?.Name, outcome);
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }

            await using var stream = await origin.Content.ReadAsStreamAsync(context.RequestAborted);
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await response.Body.WriteAsync(buffer.AsMemory(0, n), context.RequestAborted);
                outcome.Bytes += n;
            }
        }
    }

    /// <summary>Methods other than GET and HEAD: passed on without caching (failover only for OPTIONS).</summary>
    private async Task ForwardAsync(HttpContext context, Behavior behavior, string originPath, string? query, Outcome outcome, ReleaseView? release)
    {
        var request = context.Request;
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals(HeaderNames.Host, StringComparison.OrdinalIgnoreCase) || IsHopByHop(name))
            {
                continue;
            }

            foreach (var v in values)
            {
                headers.Add(new(name, v ?? ""));
            }
        }

        HttpContent? content = null;
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            content = new StreamContent(request.Body);
            if (request.ContentLength is { } len)
            {
                content.Headers.ContentLength = len;
            }
        }

        var result = await _fetcher.FetchAsync(behavior.Target, new OriginRequest
        {
            Method = new HttpMethod(request.Method),
            PathAndQuery = query is null ? originPath : originPath + "?" + query,
            Headers = headers,
            Content = content,
            Release = release?.Id,
            ForwardedFor = context.Connection.RemoteIpAddress?.ToString(),
            Via = _via,
        }, context.RequestAborted);
        if (result.Response is null)
        {
            result.Dispose();
            await WriteErrorAsync(context, 502, "Bad Gateway", "No origin could answer.", outcome);
            return;
        }

        await StreamAsync(context, result, outcome);
    }

    private async Task WriteErrorAsync(HttpContext context, int status, string title, string message, Outcome outcome)
    {
        var response = context.Response;
        outcome.Cache = "Error";
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        AddEdgeHeaders(context, "Error", outcome.Origin, outcome);
        var html = Encoding.UTF8.GetBytes($"<!doctype html><html><head><title>{status} {title}</title></head><body><h1>{status} {title}</h1><p>{System.Net.WebUtility.HtmlEncode(message)}</p></body></html>\n");
        await WriteBodyAsync(context, html, outcome);
    }
}

/// <summary>What the edge did with one request, for the access log and metrics.</summary>
public sealed class Outcome
{
    public string Cache { get; set; } = "Miss";

    public string? Origin { get; set; }

    public string? Behavior { get; set; }

    public long Bytes { get; set; }

    /// <summary>The release that answered, or null when none is live.</summary>
    public string? Release { get; set; }

    /// <summary>True when the answer pins the visitor to <see cref="Release"/> (a page load).</summary>
    public bool PinCookie { get; set; }
}

/// <summary>The result of one (possibly shared) fetch.</summary>
internal sealed record Fetched(CacheEntry? Entry, string CacheStatus)
{
    public StreamingResponse? Streaming { get; init; }

    public int FailureStatus { get; init; } = 502;

    public string? FailureReason { get; init; }

    public static Fetched Failed(int status, string reason) => new(null, "Error") { FailureStatus = status, FailureReason = reason };
}

/// <summary>A live response that only one visitor can read.</summary>
internal sealed class StreamingResponse(OriginFetchResult result)
{
    private int _claimed;

    public OriginFetchResult Result { get; } = result;

    public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;
}

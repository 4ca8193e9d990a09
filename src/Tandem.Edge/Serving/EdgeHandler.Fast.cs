using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Tandem.Core.Http;
using Tandem.Edge.Caching;
using Tandem.Edge.Releases;
using Tandem.Edge.Serving.FastPath;

namespace Tandem.Edge.Serving;

/// <summary>A cache hit the connection fast path answers: the rendered head, the body, and what the log and metrics need.</summary>
internal readonly record struct FastHit(RenderedHead Head, CacheEntry Entry, string Behavior, string Path);

public sealed partial class EdgeHandler
{
    /// <summary>
    /// The answer to a plain GET or HEAD (see <see cref="RequestHead"/>) when it is a fresh 200
    /// hit (or a 304 for the visitor's If-None-Match or If-Modified-Since); such a response
    /// differs per visitor only in Date and Age (the release pin's cookie depends only on the
    /// release). Null when the request must go through <see cref="HandleAsync"/> instead. Makes
    /// the same decisions in the same order as <see cref="HandleAsync"/> and builds the header
    /// fields with the same code, so both answer alike; counts the hit only when it answers.
    /// </summary>
    internal FastHit? TryServeFast(in SimpleRequest request, bool isHttps, DateTimeOffset now)
    {
        if (!TryReadTarget(request.Target, out var path, out var query) || IsReserved(path)
            || (_options.RedirectHttpToHttps && !isHttps && _options.HttpsListen is not null))
        {
            return null;
        }

        var behavior = _behaviors.Match(path);
        if (!behavior.Allows(request.IsHead ? HttpMethods.Head : HttpMethods.Get))
        {
            return null;
        }

        var originPath = OriginPath(path);
        ReleaseView? release = null;
        var pinCookie = false;
        if (_releases.Live is { } live)
        {
            var pin = Pin(live.View, path, request.SecFetchDest, request.Accept, request.Cookie);
            release = pin.Release ?? live.View;
            pinCookie = pin.SetCookie;
        }

        var key = KeyOf(behavior, originPath, query, release);
        if (!_cache.TryPeek(key, out var entry) || entry.Status != StatusCodes.Status200OK || FreshnessPolicy.State(entry, now) != EntryState.Fresh)
        {
            return null;
        }

        // The visitor's own validators, as ServeEntryAsync weighs them (If-Match, If-Unmodified-Since
        // and ranges never reach here).
        var notModified = (request.IfNoneMatch is not null || request.IfModifiedSince is not null)
            && (entry.ETag is not null || entry.LastModified is not null)
            && HttpConditions.Evaluate(null, request.IfNoneMatch, request.IfModifiedSince, null, entry.ETag ?? "", entry.LastModified ?? DateTimeOffset.MinValue) == PreconditionResult.NotModified;
        var coding = !notModified && behavior.Config.Compress && entry.Compressible ? Compression.Negotiate(request.AcceptEncoding) : ContentCoding.Identity;
        var variant = new HeadVariant(isHttps, coding, release?.Id, pinCookie, notModified);
        var head = entry.FindHead(variant);
        if (head is null)
        {
            head = RenderHead(behavior, entry, variant, request.AcceptEncoding);
            if (head is null || !entry.AddHead(head))
            {
                return null;
            }
        }

        _cache.CountHit();
        return new FastHit(head, entry, behavior.Config.PathPattern, path);
    }

    /// <summary>Metrics and access log for a request the fast path answered.</summary>
    internal void RecordFast(in FastHit hit, bool isHead, EndPoint? client, long bytes, TimeSpan elapsed)
    {
        var status = hit.Head.Variant.NotModified ? StatusCodes.Status304NotModified : StatusCodes.Status200OK;
        _metrics.Request(status, "Hit", bytes, elapsed);
        _metrics.FastHit();
        if (!_accessLog.Enabled)
        {
            return;
        }

        _accessLog.Write((client as IPEndPoint)?.Address.ToString(), isHead ? HttpMethods.Head : HttpMethods.Get, hit.Path, status, bytes, elapsed, "Hit", hit.Entry.Origin, hit.Behavior);
    }

    /// <summary>
    /// The status line and fields <see cref="ServeEntryAsync"/> would send for a hit on
    /// <paramref name="entry"/>, as bytes; null when a field is not plain ASCII (Kestrel's rules
    /// for such values then apply on the full path).
    /// </summary>
    private RenderedHead? RenderHead(Behavior behavior, CacheEntry entry, HeadVariant variant, string? acceptEncoding)
    {
        var headers = new HeaderDictionary();
        CopyEntryHeaders(headers, entry, keepCacheControl: true);
        AddEdgeHeaders(headers, variant.Https, "Hit", entry.Origin, variant.Release, variant.PinCookie);
        ReadOnlyMemory<byte> body;
        if (variant.NotModified)
        {
            // As ServeEntryAsync answers a 304: the stored fields without Content-Type, no body, no length.
            headers.Remove(HeaderNames.ContentType);
            body = ReadOnlyMemory<byte>.Empty;
        }
        else
        {
            body = ApplyCoding(headers, behavior, entry, acceptEncoding);
            headers.ContentLength = body.Length;
        }

        var text = new StringBuilder(variant.NotModified ? "HTTP/1.1 304 Not Modified\r\n" : "HTTP/1.1 200 OK\r\n");
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                if (!IsPlainField(name) || !IsPlainField(value))
                {
                    return null;
                }

                text.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        // Kestrel dates a response only when it has no Date yet; a stored one keeps the origin's.
        return new RenderedHead(variant, Encoding.ASCII.GetBytes(text.ToString()), body, NeedsDate: !headers.ContainsKey(HeaderNames.Date));
    }

    private static bool IsPlainField(string? text) => text is not null && !text.AsSpan().ContainsAnyExceptInRange(' ', '~');
}

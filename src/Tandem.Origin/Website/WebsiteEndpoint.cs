using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Net.Http.Headers;
using Tandem.Core.Http;
using Tandem.Origin.Storage;

namespace Tandem.Origin.Website;

/// <summary>
/// The HTTP side of S3's website endpoint: picks the bucket from Host, decodes the key from the raw
/// request target, asks <see cref="WebsiteRouter"/> what to do, and writes it. Each request opens
/// its object once; the metadata of that open handle is what the headers describe.
/// </summary>
public sealed class WebsiteEndpoint
{
    private const string RequestIdHeader = "x-amz-request-id";
    private const string ErrorCodeHeader = "x-amz-error-code";
    private const string ErrorMessageHeader = "x-amz-error-message";
    private const string ErrorKeyHeader = "x-amz-error-detail-Key";
    private const string UserMetadataPrefix = "x-amz-meta-";

    // What S3 reports for an object stored without a Content-Type.
    private const string DefaultContentType = "binary/octet-stream";

    private readonly IObjectStore _store;
    private readonly string? _fallbackBucket;
    private readonly HostNames _hosts;
    private readonly ILogger _logger;

    // Parsing a policy is JSON work; it is done once per policy text, not once per request.
    private readonly ConcurrentDictionary<string, PolicyVerdict> _policies = new(StringComparer.Ordinal);

    public WebsiteEndpoint(IObjectStore store, WebsiteOptions options, ILogger<WebsiteEndpoint>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _fallbackBucket = options.FallbackBucket;
        _hosts = new HostNames(options.BaseDomain);
        _logger = logger ?? NullLogger<WebsiteEndpoint>.Instance;
    }

    /// <summary>Answers one request.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var requestId = RequestIds.Next();
        response.Headers[RequestIdHeader] = requestId;
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        if (!UrlPath.TryGetPath(rawTarget, out var path) || !UrlPath.TryDecode(path[1..], out var key))
        {
            await WriteErrorAsync(context, WebsiteError.InvalidUri, requestId, key: null);
            return;
        }

        var host = request.Headers.Host.ToString();
        BucketInfo? bucket = null;
        var lookup = default(StoreLookup);
        try
        {
            var names = _hosts.Resolve(host);
            bucket = FindBucket(names);
            lookup = new StoreLookup(_store, bucket?.Name ?? "");
            var decision = WebsiteRouter.Route(request.Method, key, bucket, bucket is not null && IsPublicRead(bucket), request.Scheme, host, ref lookup);
            switch (decision.Action)
            {
                case WebsiteAction.Serve:
                    await ServeAsync(context, decision, lookup.Take(decision.Object!), bucket!.Name, requestId);
                    break;
                case WebsiteAction.Redirect:
                    response.StatusCode = decision.Status;
                    response.Headers.Location = HeaderValues.Location(decision.Location!);
                    response.ContentLength = 0;
                    break;
                default:
                    await WriteErrorAsync(context, decision, requestId, decision.BucketName ?? (bucket is null ? names.Requested ?? _fallbackBucket : null));
                    break;
            }
        }
        catch (S3Exception e) when (!response.HasStarted)
        {
            // The store changed under the request (a bucket deleted between two calls, say).
            await WriteErrorAsync(context, WebsiteError.From(e), requestId, key);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e)
        {
            if (response.HasStarted)
            {
                // Content-Length was promised; a short body must not look complete.
                WebsiteLog.AbortedAfterStart(_logger, e, requestId);
                context.Abort();
            }
            else
            {
                WebsiteLog.RequestFailed(_logger, e, requestId, key, bucket?.Name);
                await WriteErrorAsync(context, WebsiteError.InternalError, requestId, key: null);
            }
        }
        finally
        {
            lookup.Dispose();
        }
    }

    private BucketInfo? FindBucket(HostCandidates names)
    {
        var bucket = names.Exact is { } exact ? _store.GetBucket(exact) : null;
        bucket ??= names.Virtual is { } hosted ? _store.GetBucket(hosted) : null;
        return bucket ?? (_fallbackBucket is { } fallback ? _store.GetBucket(fallback) : null);
    }

    private bool IsPublicRead(BucketInfo bucket)
    {
        if (_policies.TryGetValue(bucket.Name, out var verdict) && string.Equals(verdict.Policy, bucket.PolicyJson, StringComparison.Ordinal))
        {
            return verdict.Allows;
        }

        var allows = bucket.IsPublicRead;
        _policies[bucket.Name] = new PolicyVerdict(bucket.PolicyJson, allows);
        return allows;
    }

    private async Task ServeAsync(HttpContext context, WebsiteDecision decision, IObjectContent? content, string bucket, string requestId)
    {
        // The router saw this object through the handle it opened, so the handle is normally there;
        // opening again covers a lookup that did not keep it.
        content ??= _store.OpenObject(bucket, decision.Object!.Key);
        if (content is null)
        {
            await WriteErrorAsync(context, WebsiteError.NoSuchKey, requestId, decision.Object!.Key);
            return;
        }

        using (content)
        {
            var request = context.Request;
            var response = context.Response;
            var info = content.Info;
            var etag = info.QuotedETag;
            var lastModified = HttpDate.Format(info.LastModified);
            if (decision.Error is { } error)
            {
                // The error document: whole, with the error's status; conditions and ranges are about
                // the key that was asked for, which does not exist.
                response.StatusCode = decision.Status;
                SetErrorHeaders(response, error, decision.Key);
                SetObjectHeaders(response, info, etag, lastModified);
                await SendAsync(context, content, 0, info.Size);
                return;
            }

            var headers = request.Headers;
            var outcome = HttpConditions.Evaluate(
                headers.IfMatch.ToString(),
                headers.IfNoneMatch.ToString(),
                headers.IfModifiedSince.ToString(),
                headers.IfUnmodifiedSince.ToString(),
                etag,
                info.LastModified);
            if (outcome == PreconditionResult.NotModified)
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                response.Headers.ETag = etag;
                response.Headers.LastModified = lastModified;
                SetIfPresent(response.Headers, HeaderNames.CacheControl, info.Headers.CacheControl);
                SetIfPresent(response.Headers, HeaderNames.Expires, info.Headers.Expires);
                return;
            }

            if (outcome == PreconditionResult.PreconditionFailed)
            {
                await WriteErrorAsync(context, WebsiteError.PreconditionFailed, requestId, key: null);
                return;
            }

            var range = HttpConditions.IfRangeHolds(headers.IfRange.ToString(), etag, info.LastModified)
                ? ByteRange.Evaluate(headers.Range.ToString(), info.Size)
                : ByteRange.Whole(info.Size);
            if (range.Kind == RangeKind.NotSatisfiable)
            {
                await WriteErrorAsync(context, WebsiteDecision.Fail(WebsiteError.InvalidRange), requestId, bucketName: null, range.ContentRange(info.Size));
                return;
            }

            SetObjectHeaders(response, info, etag, lastModified);
            if (range.Kind == RangeKind.Partial)
            {
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = range.ContentRange(info.Size);
            }

            await SendAsync(context, content, range.Start, range.Length);
        }
    }

    private static Task SendAsync(HttpContext context, IObjectContent content, long offset, long count)
    {
        context.Response.ContentLength = count;
        return IsHead(context) || count == 0
            ? Task.CompletedTask
            : content.CopyToAsync(context.Response.Body, offset, count, context.RequestAborted);
    }

    // Case-sensitive, as Kestrel decides whether to suppress a body.
    private static bool IsHead(HttpContext context) => context.Request.Method == HttpMethods.Head;

    private static void SetObjectHeaders(HttpResponse response, ObjectInfo info, string etag, string lastModified)
    {
        var headers = response.Headers;
        var stored = info.Headers;
        headers.ETag = etag;
        headers.LastModified = lastModified;
        headers.AcceptRanges = "bytes";
        headers.ContentType = stored.ContentType is { } contentType ? HeaderValues.Safe(contentType) : DefaultContentType;
        SetIfPresent(headers, HeaderNames.CacheControl, stored.CacheControl);
        SetIfPresent(headers, HeaderNames.ContentEncoding, stored.ContentEncoding);
        SetIfPresent(headers, HeaderNames.ContentDisposition, stored.ContentDisposition);
        SetIfPresent(headers, HeaderNames.ContentLanguage, stored.ContentLanguage);
        SetIfPresent(headers, HeaderNames.Expires, stored.Expires);
        if (stored.UserMetadata.Count > 0)
        {
            foreach (var (name, value) in stored.UserMetadata)
            {
                headers[UserMetadataPrefix + name] = HeaderValues.Safe(value);
            }
        }
    }

    private static void SetIfPresent(IHeaderDictionary headers, string name, string? value)
    {
        if (value is not null)
        {
            headers[name] = HeaderValues.Safe(value);
        }
    }

    private static void SetErrorHeaders(HttpResponse response, WebsiteError error, string? key)
    {
        response.Headers[ErrorCodeHeader] = error.Code;
        response.Headers[ErrorMessageHeader] = error.Message;
        if (key is not null && HeaderValues.IsPlain(key))
        {
            response.Headers[ErrorKeyHeader] = key;
        }
    }

    private Task WriteErrorAsync(HttpContext context, WebsiteError error, string requestId, string? key) =>
        WriteErrorAsync(context, WebsiteDecision.Fail(error, key), requestId, bucketName: null);

    private static async Task WriteErrorAsync(HttpContext context, WebsiteDecision decision, string requestId, string? bucketName, string? contentRange = null)
    {
        var response = context.Response;
        var error = decision.Error!;

        // Headers of an object may already be set when a later step fails; none of them apply.
        response.Clear();
        response.Headers[RequestIdHeader] = requestId;
        response.StatusCode = error.Status;
        SetErrorHeaders(response, error, decision.Key);
        if (error.Status == StatusCodes.Status405MethodNotAllowed)
        {
            response.Headers.Allow = "GET, HEAD";
        }
        else if (contentRange is not null)
        {
            response.Headers.ContentRange = contentRange;
        }

        var body = ErrorPage.Render(error, decision.Key, bucketName, requestId, decision.MissingErrorDocument);
        response.ContentType = ErrorPage.ContentType;
        response.ContentLength = body.Length;
        if (!IsHead(context))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    private sealed record PolicyVerdict(string? Policy, bool Allows);

    /// <summary>
    /// Opens objects for the router and keeps the last one opened: the router only ever serves the
    /// object it looked up last, so that handle is the one whose bytes are sent.
    /// </summary>
    private struct StoreLookup(IObjectStore store, string bucket) : IObjectLookup, IDisposable
    {
        private IObjectContent? _open;

        public ObjectInfo? Find(string key)
        {
            var content = store.OpenObject(bucket, key);
            if (content is null)
            {
                return null;
            }

            _open?.Dispose();
            _open = content;
            return content.Info;
        }

        /// <summary>Hands over the open handle of <paramref name="info"/>, or null when it is not the one kept.</summary>
        public IObjectContent? Take(ObjectInfo info)
        {
            if (_open is { } open && ReferenceEquals(open.Info, info))
            {
                _open = null;
                return open;
            }

            return null;
        }

        public void Dispose()
        {
            _open?.Dispose();
            _open = null;
        }
    }
}

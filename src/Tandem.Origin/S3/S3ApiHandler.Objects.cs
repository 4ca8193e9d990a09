using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Tandem.Core.Http;
using Tandem.Origin.Body;
using Tandem.Origin.Storage;

namespace Tandem.Origin.S3;

public sealed partial class S3ApiHandler
{
    // S3 limits user metadata to 2 KB (names and values, UTF-8).
    private const int MaxUserMetadataBytes = 2048;

    private async Task PutObjectAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var headers = HeadersFromRequest(call);
        var info = await WriteBodyAsync(call, (stream, options) => _store.PutObjectAsync(call.Bucket, call.Key, stream, options, call.Aborted), headers);
        var response = call.Context.Response;
        response.Headers.ETag = info.QuotedETag;
        EchoChecksums(response, info.Checksums);
        response.ContentLength = 0;
    }

    /// <summary>
    /// Streams a request body into the store: decodes the aws-chunked forms, enforces the size
    /// limit while reading, and verifies every digest the client sent before the write becomes
    /// visible. A failure anywhere leaves nothing stored.
    /// </summary>
    private async Task<T> WriteBodyAsync<T>(S3Call call, Func<Stream, ObjectWriteOptions, Task<T>> write, ObjectHeaders headers)
    {
        using var body = RequestBody.Open(call.Context.Request.Body, call.Header, call.Auth);
        if (body.DeclaredLength > _options.MaxObjectBytes)
        {
            throw TooLarge();
        }

        var (ifNoneMatchStar, ifMatch) = WritePreconditions(call);
        var options = new ObjectWriteOptions
        {
            Headers = headers,
            IfNoneMatchStar = ifNoneMatchStar,
            IfMatch = ifMatch,
            BeforeCommit = _ => ValueTask.FromResult<IReadOnlyDictionary<string, string>?>(body.Verify()),
        };
        await using var limited = new LimitedReadStream(body.Stream, _options.MaxObjectBytes, TooLarge);
        return await write(limited, options);
    }

    private S3Exception TooLarge() => new("EntityTooLarge", 400, $"Your proposed upload exceeds the maximum allowed object size of {_options.MaxObjectBytes} bytes.");

    private static (bool IfNoneMatchStar, string? IfMatch) WritePreconditions(S3Call call)
    {
        var ifNoneMatch = call.Header("If-None-Match");
        if (ifNoneMatch is not null && ifNoneMatch.Trim() != "*")
        {
            throw S3Exception.NotImplemented("If-None-Match on writes other than '*'");
        }

        return (ifNoneMatch is not null, call.Header("If-Match")?.Trim().Trim('"'));
    }

    private static void EchoChecksums(HttpResponse response, IReadOnlyDictionary<string, string> checksums)
    {
        foreach (var (alg, value) in checksums)
        {
            response.Headers["x-amz-checksum-" + alg.ToLowerInvariant()] = value;
        }
    }

    private ObjectHeaders HeadersFromRequest(S3Call call)
    {
        var request = call.Context.Request;
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        var metaBytes = 0;
        foreach (var (name, values) in request.Headers)
        {
            if (name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) && name.Length > 11)
            {
                var key = name[11..].ToLowerInvariant();
                var value = string.Join(",", values.ToArray());
                meta[key] = value;
                metaBytes += System.Text.Encoding.UTF8.GetByteCount(key) + System.Text.Encoding.UTF8.GetByteCount(value);
            }
        }

        if (metaBytes > MaxUserMetadataBytes)
        {
            throw new S3Exception("MetadataTooLarge", 400, $"Your metadata headers exceed the maximum allowed metadata size of {MaxUserMetadataBytes} bytes.");
        }

        var redirect = call.Header("x-amz-website-redirect-location");
        if (redirect is not null && !redirect.StartsWith('/') && !redirect.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !redirect.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw S3Exception.InvalidArgument("The website redirect location must have a prefix of 'http://' or 'https://' or '/'.");
        }

        return new ObjectHeaders
        {
            ContentType = call.Header("Content-Type"),
            CacheControl = call.Header("Cache-Control"),
            ContentEncoding = RequestBody.StoredContentEncoding(call.Header("Content-Encoding")),
            ContentDisposition = call.Header("Content-Disposition"),
            ContentLanguage = call.Header("Content-Language"),
            Expires = call.Header("Expires"),
            WebsiteRedirectLocation = redirect,
            UserMetadata = meta,
        };
    }

    private async Task GetObjectAsync(S3Call call, bool head)
    {
        var bucket = RequireBucket(call.Bucket);
        if (call.Auth is null && !bucket.IsPublicRead)
        {
            throw S3Exception.AccessDenied();
        }

        using var content = _store.OpenObject(call.Bucket, call.Key) ?? throw S3Exception.NoSuchKey(call.Bucket, call.Key);
        var info = content.Info;
        var request = call.Context.Request;
        var response = call.Context.Response;

        var status = HttpConditions.Evaluate(call.Header(HeaderNames.IfMatch), call.Header(HeaderNames.IfNoneMatch),
            call.Header(HeaderNames.IfModifiedSince), call.Header(HeaderNames.IfUnmodifiedSince), info.QuotedETag, info.LastModified);
        WriteObjectHeaders(call, info);
        if (status == PreconditionResult.PreconditionFailed)
        {
            throw S3Exception.PreconditionFailed(request.Headers.IfMatch.Count > 0 ? "If-Match" : "If-Unmodified-Since");
        }

        if (status == PreconditionResult.NotModified)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.Headers.ContentType = default;
            return;
        }

        long offset = 0, length = info.Size;
        var rangeHeader = call.Header(HeaderNames.Range);
        var range = HttpConditions.IfRangeHolds(call.Header(HeaderNames.IfRange), info.QuotedETag, info.LastModified)
            ? ByteRange.Evaluate(rangeHeader, info.Size)
            : ByteRange.Whole(info.Size);
        if (range.Kind == RangeKind.NotSatisfiable)
        {
            throw new S3Exception("InvalidRange", 416, "The requested range is not satisfiable", $"{call.Bucket}/{call.Key}")
            {
                Details = new Dictionary<string, string> { ["ActualObjectSize"] = info.Size.ToString(CultureInfo.InvariantCulture), ["RangeRequested"] = rangeHeader ?? "" },
                Headers = new Dictionary<string, string> { [HeaderNames.ContentRange] = range.ContentRange(info.Size) },
            };
        }

        if (range.Kind == RangeKind.Partial)
        {
            offset = range.Start;
            length = range.Length;
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = range.ContentRange(info.Size);
        }
        else if (info.PartsCount == 0 && string.Equals(call.Header("x-amz-checksum-mode"), "ENABLED", StringComparison.OrdinalIgnoreCase))
        {
            // Whole-object checksums only for the whole object: a client would fail a range against it.
            EchoChecksums(response, info.Checksums);
        }

        response.ContentLength = length;
        if (head || length == 0)
        {
            return;
        }

        await content.CopyToAsync(response.Body, offset, length, call.Aborted);
    }

    private static void WriteObjectHeaders(S3Call call, ObjectInfo info)
    {
        var h = info.Headers;
        var response = call.Context.Response;
        var q = call.Target;
        var signed = call.Auth is not null;
        response.Headers.ETag = info.QuotedETag;
        response.Headers.LastModified = HttpDate(info.LastModified);
        response.Headers.AcceptRanges = "bytes";

        // response-* overrides are honoured on signed requests only, as S3 does.
        string? Pick(string query, string? stored) => signed && q.Get(query) is { } v ? v : stored;
        response.Headers.ContentType = Pick("response-content-type", h.ContentType) ?? "binary/octet-stream";
        SetIf(response, HeaderNames.CacheControl, Pick("response-cache-control", h.CacheControl));
        SetIf(response, HeaderNames.ContentEncoding, Pick("response-content-encoding", h.ContentEncoding));
        SetIf(response, HeaderNames.ContentDisposition, Pick("response-content-disposition", h.ContentDisposition));
        SetIf(response, HeaderNames.ContentLanguage, Pick("response-content-language", h.ContentLanguage));
        SetIf(response, HeaderNames.Expires, Pick("response-expires", h.Expires));
        SetIf(response, "x-amz-website-redirect-location", h.WebsiteRedirectLocation);
        foreach (var (k, v) in h.UserMetadata)
        {
            response.Headers["x-amz-meta-" + k] = v;
        }

        if (info.PartsCount > 0)
        {
            response.Headers["x-amz-mp-parts-count"] = info.PartsCount.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static void SetIf(HttpResponse response, string name, string? value)
    {
        if (value is not null)
        {
            response.Headers[name] = value;
        }
    }

    private Task DeleteObjectAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        _store.DeleteObject(call.Bucket, call.Key);
        NoContent(call);
        return Task.CompletedTask;
    }

    private async Task CopyObjectAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var (srcBucket, srcKey) = ParseCopySource(call.Header("x-amz-copy-source")!);
        var directive = (call.Header("x-amz-metadata-directive") ?? "COPY").ToUpperInvariant();
        if (directive is not ("COPY" or "REPLACE"))
        {
            throw S3Exception.InvalidArgument($"Unknown metadata directive '{directive}'; use COPY or REPLACE.");
        }

        if (srcBucket == call.Bucket && srcKey == call.Key && directive == "COPY")
        {
            throw S3Exception.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }

        RequireBucket(srcBucket);
        var source = _store.GetObjectInfo(srcBucket, srcKey) ?? throw S3Exception.NoSuchKey(srcBucket, srcKey);
        if (HttpConditions.Evaluate(call.Header("x-amz-copy-source-if-match"), call.Header("x-amz-copy-source-if-none-match"),
            call.Header("x-amz-copy-source-if-modified-since"), call.Header("x-amz-copy-source-if-unmodified-since"),
            source.QuotedETag, source.LastModified) != PreconditionResult.Proceed)
        {
            throw S3Exception.PreconditionFailed("x-amz-copy-source-if-*");
        }

        var replace = directive == "REPLACE" ? HeadersFromRequest(call) : null;
        var info = await _store.CopyObjectAsync(srcBucket, srcKey, call.Bucket, call.Key, replace, call.Aborted);
        await WriteXmlAsync(call, S3Xml.Write("CopyObjectResult", w =>
        {
            w.Element("LastModified", S3Xml.Timestamp(info.LastModified));
            w.Element("ETag", info.QuotedETag);
        }));
    }

    private static (string Bucket, string Key) ParseCopySource(string header)
    {
        var value = header;
        var q = value.IndexOf('?');
        if (q >= 0)
        {
            value = value[..q]; // ?versionId=...: there is one version of everything
        }

        var decoded = S3Target.PercentDecode(value, plusIsSpace: false) ?? throw S3Exception.InvalidArgument("x-amz-copy-source is not validly URL-encoded.");
        decoded = decoded.TrimStart('/');
        var slash = decoded.IndexOf('/');
        if (slash <= 0 || slash == decoded.Length - 1)
        {
            throw S3Exception.InvalidArgument("x-amz-copy-source must be 'bucket/key'.");
        }

        return (decoded[..slash], decoded[(slash + 1)..]);
    }
}

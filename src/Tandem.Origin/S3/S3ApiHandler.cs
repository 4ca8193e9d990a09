using System.Globalization;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Tandem.Origin.Auth;
using Tandem.Origin.Body;
using Tandem.Origin.Storage;
using Tandem.Origin.Website;

namespace Tandem.Origin.S3;

/// <summary>
/// The S3 REST API over an <see cref="IObjectStore"/>: parses the raw target, authenticates with
/// SigV4, routes on method and known sub-resources (unknown query parameters such as x-id are
/// ignored), and answers in S3's XML. Every failure becomes S3's error document.
/// </summary>
public sealed partial class S3ApiHandler
{
    private readonly IObjectStore _store;
    private readonly ICredentialLookup _credentials;
    private readonly S3ApiOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public S3ApiHandler(IObjectStore store, ICredentialLookup credentials, S3ApiOptions options, TimeProvider time, ILogger<S3ApiHandler> logger)
    {
        _store = store;
        _credentials = credentials;
        _options = options;
        _time = time;
        _logger = logger;
    }

    // Sub-resources S3 routes on. A request naming one we do not implement gets 501, rather than
    // being mistaken for a plain object or bucket operation.
    private static readonly string[] UnsupportedSubresources =
    [
        "versioning", "cors", "tagging", "lifecycle", "replication", "encryption", "logging", "notification",
        "object-lock", "retention", "legal-hold", "accelerate", "analytics", "inventory", "metrics", "intelligent-tiering",
        "ownershipControls", "publicAccessBlock", "requestPayment", "torrent", "restore", "select", "versions", "attributes",
        "policyStatus", "website-redirect",
    ];

    // Bucket sub-resources that must never be read as a plain object operation on a key.
    private static readonly string[] BucketOnlySubresources = ["website", "policy", "location", "delete", "list-type"];

    public async Task HandleAsync(HttpContext context)
    {
        var requestId = RequestIds.Next();
        var response = context.Response;
        response.Headers["x-amz-request-id"] = requestId;
        response.Headers["x-amz-id-2"] = requestId;
        response.Headers.Server = "Tandem";
        try
        {
            var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
            var target = S3Target.Parse(rawTarget, context.Request.Headers.Host.ToString(), _options.BaseDomain);
            var auth = Authenticate(context, target);
            await DispatchAsync(new S3Call(context, target, auth, requestId));
        }
        catch (S3Exception ex)
        {
            await WriteErrorAsync(context, ex, requestId);
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's body limits and truncated bodies surface here.
            var error = ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new S3Exception("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.")
                : S3Exception.IncompleteBody(ex.Message);
            await WriteErrorAsync(context, error, requestId);
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or IOException or ConnectionResetException)
        {
            Log.ClientGone(_logger, context.Request.Method, context.Request.Path.Value ?? "");
        }
        catch (Exception ex)
        {
            Log.Unhandled(_logger, ex, context.Request.Method, context.Request.Path.Value ?? "");
            await WriteErrorAsync(context, S3Exception.InternalError("We encountered an internal error. Please try again."), requestId);
        }
    }

    private AuthContext? Authenticate(HttpContext context, S3Target target)
    {
        var headers = new List<KeyValuePair<string, string>>(context.Request.Headers.Count);
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var v in values)
            {
                headers.Add(new(name, v ?? ""));
            }
        }

        var request = new SignedRequest(context.Request.Method, target.RawPath, target.RawQuery, headers);
        return SigV4Verifier.Authenticate(request, _credentials, _time.GetUtcNow(), _options.EnforceRegion ? _options.Region : null);
    }

    private Task DispatchAsync(S3Call call)
    {
        var t = call.Target;
        var method = call.Context.Request.Method;
        foreach (var sub in UnsupportedSubresources)
        {
            if (t.Has(sub))
            {
                throw S3Exception.NotImplemented($"the '{sub}' sub-resource");
            }
        }

        if (t.Bucket is null)
        {
            return method switch
            {
                "GET" or "HEAD" => ListBucketsAsync(call),
                _ => throw MethodNotAllowed(method, "the service"),
            };
        }

        if (BucketNameProblem(t.Bucket) is { } problem)
        {
            throw new S3Exception("InvalidBucketName", 400, problem, t.Bucket);
        }

        if (t.Key.Length == 0)
        {
            return method switch
            {
                "PUT" when t.Has("website") => PutBucketWebsiteAsync(call),
                "PUT" when t.Has("policy") => PutBucketPolicyAsync(call),
                "PUT" when t.Has("acl") => PutAclAsync(call),
                "PUT" => CreateBucketAsync(call),
                "GET" when t.Has("website") => GetBucketWebsiteAsync(call),
                "GET" when t.Has("policy") => GetBucketPolicyAsync(call),
                "GET" when t.Has("acl") => GetAclAsync(call),
                "GET" when t.Has("location") => GetBucketLocationAsync(call),
                "GET" when t.Has("uploads") => ListMultipartUploadsAsync(call),
                "GET" when t.Get("list-type") == "2" => ListObjectsV2Async(call),
                "GET" => ListObjectsV1Async(call),
                "HEAD" => HeadBucketAsync(call),
                "DELETE" when t.Has("website") => DeleteBucketWebsiteAsync(call),
                "DELETE" when t.Has("policy") => DeleteBucketPolicyAsync(call),
                "DELETE" => DeleteBucketAsync(call),
                "POST" when t.Has("delete") => DeleteObjectsAsync(call),
                _ => throw MethodNotAllowed(method, "a bucket"),
            };
        }

        foreach (var sub in BucketOnlySubresources)
        {
            if (t.Has(sub))
            {
                throw S3Exception.InvalidRequest($"The '{sub}' sub-resource applies to a bucket, but this request names the object '{t.Key}'.");
            }
        }

        return method switch
        {
            "PUT" when t.Has("uploadId") && call.Header("x-amz-copy-source") is not null => throw S3Exception.NotImplemented("UploadPartCopy"),
            "PUT" when t.Has("uploadId") => UploadPartAsync(call),
            "PUT" when t.Has("acl") => PutAclAsync(call),
            "PUT" when call.Header("x-amz-copy-source") is not null => CopyObjectAsync(call),
            "PUT" => PutObjectAsync(call),
            "GET" when t.Has("uploadId") => ListPartsAsync(call),
            "GET" when t.Has("acl") => GetAclAsync(call),
            "GET" => GetObjectAsync(call, head: false),
            "HEAD" => GetObjectAsync(call, head: true),
            "DELETE" when t.Has("uploadId") => AbortMultipartUploadAsync(call),
            "DELETE" => DeleteObjectAsync(call),
            "POST" when t.Has("uploads") => CreateMultipartUploadAsync(call),
            "POST" when t.Has("uploadId") => CompleteMultipartUploadAsync(call),
            _ => throw MethodNotAllowed(method, "an object"),
        };
    }

    private static string? BucketNameProblem(string bucket) => Tandem.Core.Configuration.BucketNames.Check(bucket);

    private static S3Exception MethodNotAllowed(string method, string what) =>
        new("MethodNotAllowed", 405, $"The specified method ({method}) is not allowed against {what}.");

    private static void RequireAuth(S3Call call)
    {
        if (call.Auth is null)
        {
            throw S3Exception.AccessDenied("Access Denied: this request needs to be signed with AWS Signature Version 4 and a valid access key.");
        }
    }

    private BucketInfo RequireBucket(string bucket) => _store.GetBucket(bucket) ?? throw S3Exception.NoSuchBucket(bucket);

    private static async Task WriteXmlAsync(S3Call call, byte[] document, int status = 200)
    {
        var response = call.Context.Response;
        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.ContentLength = document.Length;
        await response.Body.WriteAsync(document, call.Context.RequestAborted);
    }

    private static void NoContent(S3Call call) => call.Context.Response.StatusCode = StatusCodes.Status204NoContent;

    private static async Task WriteErrorAsync(HttpContext context, S3Exception error, string requestId)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return;
        }

        response.Clear();
        response.Headers["x-amz-request-id"] = requestId;
        response.Headers["x-amz-id-2"] = requestId;
        response.StatusCode = error.Status;
        if (error.Headers is not null)
        {
            foreach (var (name, value) in error.Headers)
            {
                response.Headers[name] = value;
            }
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return; // HEAD errors carry no body; clients key off the status.
        }

        var body = S3Xml.Error(error, requestId);
        response.ContentType = "application/xml";
        response.ContentLength = body.Length;
        try
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException)
        {
            // the client is gone
        }
    }

    /// <summary>Reads a small request document (XML or JSON), decoding aws-chunked forms and verifying checksums.</summary>
    private async Task<byte[]> ReadDocumentAsync(S3Call call)
    {
        using var body = RequestBody.Open(call.Context.Request.Body, call.Header, call.Auth);
        if (body.DeclaredLength > _options.MaxDocumentBytes)
        {
            throw DocumentTooLarge();
        }

        using var ms = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await body.Stream.ReadAsync(buffer, call.Context.RequestAborted)) > 0)
        {
            if (ms.Length + n > _options.MaxDocumentBytes)
            {
                throw DocumentTooLarge();
            }

            ms.Write(buffer, 0, n);
        }

        body.Verify();
        return ms.ToArray();
    }

    // S3's code for a request document over its limit; EntityTooLarge is about object bodies,
    // and a client told that would look for a multipart upload it cannot make.
    private S3Exception DocumentTooLarge() =>
        new("MaxMessageLengthExceeded", 400, $"Your request was too big: request documents are limited to {_options.MaxDocumentBytes} bytes.");

    private static string HttpDate(DateTimeOffset t) => t.UtcDateTime.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>One request in flight.</summary>
    private sealed record S3Call(HttpContext Context, S3Target Target, AuthContext? Auth, string RequestId)
    {
        public string Bucket => Target.Bucket!;

        public string Key => Target.Key;

        public string? Header(string name)
        {
            var v = Context.Request.Headers[name];
            return v.Count == 0 ? null : v[0];
        }

        public CancellationToken Aborted => Context.RequestAborted;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "S3 request {Method} {Path} failed unexpectedly")]
        public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);

        [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "S3 client went away during {Method} {Path}")]
        public static partial void ClientGone(ILogger logger, string method, string path);
    }
}

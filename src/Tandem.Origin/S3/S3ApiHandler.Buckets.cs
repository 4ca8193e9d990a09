using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tandem.Origin.S3;

public sealed partial class S3ApiHandler
{
    private Task ListBucketsAsync(S3Call call)
    {
        RequireAuth(call);
        var buckets = _store.ListBuckets();
        return WriteXmlAsync(call, S3Xml.Write("ListAllMyBucketsResult", w =>
        {
            S3Xml.Owner(w);
            w.WriteStartElement("Buckets", S3Xml.Namespace);
            foreach (var b in buckets)
            {
                w.WriteStartElement("Bucket", S3Xml.Namespace);
                w.Element("Name", b.Name);
                w.Element("CreationDate", S3Xml.Timestamp(b.Created));
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }));
    }

    private async Task CreateBucketAsync(S3Call call)
    {
        RequireAuth(call);
        var region = _options.Region;
        if (call.Context.Request.ContentLength is > 0 || call.Context.Request.Headers.TransferEncoding.Count > 0)
        {
            var doc = await ReadDocumentAsync(call);
            if (doc.Length > 0)
            {
                var root = S3Xml.Parse(doc, "CreateBucketConfiguration");
                var constraint = root.ChildValue("LocationConstraint");
                if (!string.IsNullOrEmpty(constraint))
                {
                    region = constraint;
                }
            }
        }

        if (!_store.CreateBucket(call.Bucket, region))
        {
            throw new S3Exception("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.", call.Bucket);
        }

        call.Context.Response.Headers.Location = "/" + call.Bucket;
        call.Context.Response.ContentLength = 0;
    }

    private Task HeadBucketAsync(S3Call call)
    {
        RequireAuth(call);
        var bucket = RequireBucket(call.Bucket);
        call.Context.Response.Headers["x-amz-bucket-region"] = bucket.Region;
        return Task.CompletedTask;
    }

    private Task DeleteBucketAsync(S3Call call)
    {
        RequireAuth(call);
        _store.DeleteBucket(call.Bucket);
        NoContent(call);
        return Task.CompletedTask;
    }

    private Task GetBucketLocationAsync(S3Call call)
    {
        RequireAuth(call);
        var bucket = RequireBucket(call.Bucket);

        // us-east-1 is reported as an empty constraint, as S3 does.
        var region = bucket.Region == "us-east-1" ? "" : bucket.Region;
        return WriteXmlAsync(call, S3Xml.Write("LocationConstraint", w => w.WriteString(region)));
    }

    private Task GetAclAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        if (call.Key.Length > 0 && _store.GetObjectInfo(call.Bucket, call.Key) is null)
        {
            throw S3Exception.NoSuchKey(call.Bucket, call.Key);
        }

        // One owner holds FULL_CONTROL of everything; public reads come from the bucket policy.
        return WriteXmlAsync(call, S3Xml.Write("AccessControlPolicy", w =>
        {
            S3Xml.Owner(w);
            w.WriteStartElement("AccessControlList", S3Xml.Namespace);
            w.WriteStartElement("Grant", S3Xml.Namespace);
            w.WriteStartElement("Grantee", S3Xml.Namespace);
            w.WriteAttributeString("xmlns", "xsi", null, "http://www.w3.org/2001/XMLSchema-instance");
            w.WriteAttributeString("xsi", "type", "http://www.w3.org/2001/XMLSchema-instance", "CanonicalUser");
            w.Element("ID", S3Xml.OwnerId);
            w.Element("DisplayName", "tandem");
            w.WriteEndElement();
            w.Element("Permission", "FULL_CONTROL");
            w.WriteEndElement();
            w.WriteEndElement();
        }));
    }

    private Task PutAclAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);

        // Canned "private" (what clients send by default) matches the one-owner model; anything
        // else would silently differ from what the client asked for, so it is refused.
        var canned = call.Header("x-amz-acl");
        if (canned is not (null or "private" or "bucket-owner-full-control"))
        {
            throw S3Exception.NotImplemented($"the canned ACL '{canned}' (use a bucket policy for public reads)");
        }

        if (call.Context.Request.ContentLength is > 0)
        {
            throw S3Exception.NotImplemented("ACL documents (use a bucket policy for public reads)");
        }

        return Task.CompletedTask;
    }

    private async Task PutBucketWebsiteAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var config = S3Xml.ParseWebsite(await ReadDocumentAsync(call));
        _store.SetWebsite(call.Bucket, config);
    }

    private Task GetBucketWebsiteAsync(S3Call call)
    {
        RequireAuth(call);
        var bucket = RequireBucket(call.Bucket);
        if (bucket.Website is null)
        {
            throw new S3Exception("NoSuchWebsiteConfiguration", 404, "The specified bucket does not have a website configuration", call.Bucket);
        }

        return WriteXmlAsync(call, S3Xml.WriteWebsite(bucket.Website));
    }

    private Task DeleteBucketWebsiteAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        _store.SetWebsite(call.Bucket, null);
        NoContent(call);
        return Task.CompletedTask;
    }

    private async Task PutBucketPolicyAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var body = await ReadDocumentAsync(call);
        var text = Encoding.UTF8.GetString(body);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("Statement", out _))
            {
                throw new S3Exception("MalformedPolicy", 400, "Policies must be a JSON object with a Statement.");
            }
        }
        catch (JsonException ex)
        {
            throw new S3Exception("MalformedPolicy", 400, "Policies must be valid JSON: " + ex.Message);
        }

        _store.SetPolicy(call.Bucket, text);
        NoContent(call);
    }

    private async Task GetBucketPolicyAsync(S3Call call)
    {
        RequireAuth(call);
        var bucket = RequireBucket(call.Bucket);
        if (bucket.PolicyJson is null)
        {
            throw new S3Exception("NoSuchBucketPolicy", 404, "The bucket policy does not exist", call.Bucket);
        }

        var bytes = Encoding.UTF8.GetBytes(bucket.PolicyJson);
        call.Context.Response.ContentType = "application/json";
        call.Context.Response.ContentLength = bytes.Length;
        await call.Context.Response.Body.WriteAsync(bytes, call.Aborted);
    }

    private Task DeleteBucketPolicyAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        _store.SetPolicy(call.Bucket, null);
        NoContent(call);
        return Task.CompletedTask;
    }

    private Task ListObjectsV2Async(S3Call call) => ListObjectsAsync(call, v2: true);

    private Task ListObjectsV1Async(S3Call call) => ListObjectsAsync(call, v2: false);

    private Task ListObjectsAsync(S3Call call, bool v2)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var t = call.Target;
        var prefix = t.Get("prefix") ?? "";
        var delimiter = t.Get("delimiter") is { Length: > 0 } d ? d : null;
        var encode = t.Get("encoding-type") is { } enc
            ? enc == "url" ? true : throw S3Exception.InvalidArgument($"Invalid Encoding Method specified in Request: '{enc}'; only 'url' is supported.")
            : false;
        var maxKeys = 1000;
        if (t.Get("max-keys") is { } mk && (!int.TryParse(mk, out maxKeys) || maxKeys < 0))
        {
            throw S3Exception.InvalidArgument("max-keys must be a non-negative integer.");
        }

        maxKeys = Math.Min(maxKeys, 1000);
        var startAfter = t.Get("start-after");
        var token = t.Get("continuation-token");
        var marker = t.Get("marker");
        string? after;
        if (v2)
        {
            after = token is not null ? DecodeToken(token) : startAfter is { Length: > 0 } ? startAfter : null;
        }
        else
        {
            after = marker is { Length: > 0 } ? marker : null;
        }

        var page = maxKeys == 0
            ? new Storage.ListPage { Objects = [], CommonPrefixes = [], IsTruncated = false }
            : _store.List(call.Bucket, new Storage.ListRequest { Prefix = prefix, Delimiter = delimiter, After = after, MaxKeys = maxKeys });
        string E(string s) => encode ? S3Target.UrlEncode(s, keepSlash: true) : s;

        return WriteXmlAsync(call, S3Xml.Write("ListBucketResult", w =>
        {
            w.Element("Name", call.Bucket);
            w.Element("Prefix", E(prefix));
            if (v2)
            {
                if (token is not null)
                {
                    w.Element("ContinuationToken", token);
                }

                if (startAfter is not null)
                {
                    w.Element("StartAfter", E(startAfter));
                }

                w.Element("KeyCount", (page.Objects.Count + page.CommonPrefixes.Count).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                w.Element("Marker", E(marker ?? ""));
            }

            w.Element("MaxKeys", maxKeys.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (delimiter is not null)
            {
                w.Element("Delimiter", E(delimiter));
            }

            if (encode)
            {
                w.Element("EncodingType", "url");
            }

            w.Element("IsTruncated", page.IsTruncated ? "true" : "false");
            if (page.IsTruncated && page.NextAfter is not null)
            {
                if (v2)
                {
                    w.Element("NextContinuationToken", EncodeToken(page.NextAfter));
                }
                else
                {
                    w.Element("NextMarker", E(page.NextAfter));
                }
            }

            var fetchOwner = !v2 || t.Get("fetch-owner") == "true";
            foreach (var o in page.Objects)
            {
                w.WriteStartElement("Contents", S3Xml.Namespace);
                w.Element("Key", E(o.Key));
                w.Element("LastModified", S3Xml.Timestamp(o.LastModified));
                w.Element("ETag", o.QuotedETag);
                w.Element("Size", o.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (fetchOwner)
                {
                    S3Xml.Owner(w);
                }

                w.Element("StorageClass", "STANDARD");
                w.WriteEndElement();
            }

            foreach (var p in page.CommonPrefixes)
            {
                w.WriteStartElement("CommonPrefixes", S3Xml.Namespace);
                w.Element("Prefix", E(p));
                w.WriteEndElement();
            }
        }));
    }

    // Continuation tokens are opaque to clients; ours is the base64url of the last key returned.
    private static string EncodeToken(string after) => Convert.ToBase64String(Encoding.UTF8.GetBytes(after)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeToken(string token)
    {
        try
        {
            var s = token.Replace('-', '+').Replace('_', '/');
            s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
            return Encoding.UTF8.GetString(Convert.FromBase64String(s));
        }
        catch (FormatException)
        {
            throw S3Exception.InvalidArgument("The continuation token provided is incorrect.");
        }
    }

    private async Task DeleteObjectsAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var root = S3Xml.Parse(await ReadDocumentAsync(call), "Delete");
        var quiet = string.Equals(root.ChildValue("Quiet"), "true", StringComparison.OrdinalIgnoreCase);
        var keys = root.Children("Object").Select(o => o.ChildValue("Key")).ToList();
        if (keys.Count > 1000)
        {
            throw S3Exception.MalformedXml("DeleteObjects takes at most 1000 keys");
        }

        var results = new List<(string Key, S3Exception? Error)>(keys.Count);
        foreach (var key in keys)
        {
            if (string.IsNullOrEmpty(key))
            {
                throw S3Exception.MalformedXml("every Object needs a non-empty Key");
            }

            try
            {
                _store.DeleteObject(call.Bucket, key);
                results.Add((key, null));
            }
            catch (S3Exception ex)
            {
                results.Add((key, ex));
            }
        }

        await WriteXmlAsync(call, S3Xml.Write("DeleteResult", w =>
        {
            foreach (var (key, error) in results)
            {
                if (error is null && quiet)
                {
                    continue;
                }

                w.WriteStartElement(error is null ? "Deleted" : "Error", S3Xml.Namespace);
                w.Element("Key", key);
                if (error is not null)
                {
                    w.Element("Code", error.Code);
                    w.Element("Message", error.Message);
                }

                w.WriteEndElement();
            }
        }));
    }
}

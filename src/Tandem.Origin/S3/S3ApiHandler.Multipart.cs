using System.Globalization;
using Tandem.Origin.Storage;

namespace Tandem.Origin.S3;

public sealed partial class S3ApiHandler
{
    private Task CreateMultipartUploadAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var uploadId = _store.CreateMultipartUpload(call.Bucket, call.Key, HeadersFromRequest(call));
        return WriteXmlAsync(call, S3Xml.Write("InitiateMultipartUploadResult", w =>
        {
            w.Element("Bucket", call.Bucket);
            w.Element("Key", call.Key);
            w.Element("UploadId", uploadId);
        }));
    }

    private async Task UploadPartAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var uploadId = call.Target.Get("uploadId")!;
        if (!int.TryParse(call.Target.Get("partNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out var partNumber) || partNumber is < 1 or > 10000)
        {
            throw S3Exception.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive.");
        }

        var part = await WriteBodyAsync(call, (stream, options) => _store.UploadPartAsync(call.Bucket, call.Key, uploadId, partNumber, stream, options, call.Aborted), ObjectHeaders.Empty);
        var response = call.Context.Response;
        response.Headers.ETag = "\"" + part.ETag + "\"";
        EchoChecksums(response, part.Checksums);
        response.ContentLength = 0;
    }

    private async Task CompleteMultipartUploadAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var uploadId = call.Target.Get("uploadId")!;
        var root = S3Xml.Parse(await ReadDocumentAsync(call), "CompleteMultipartUpload");
        var parts = new List<CompletedPart>();
        foreach (var p in root.Children("Part"))
        {
            if (!int.TryParse(p.ChildValue("PartNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw S3Exception.MalformedXml("every Part needs a numeric PartNumber");
            }

            parts.Add(new CompletedPart(number, (p.ChildValue("ETag") ?? "").Trim().Trim('"')));
        }

        if (parts.Count == 0)
        {
            throw S3Exception.MalformedXml("CompleteMultipartUpload lists no parts");
        }

        var (ifNoneMatchStar, ifMatch) = WritePreconditions(call);
        var info = await _store.CompleteMultipartUploadAsync(call.Bucket, call.Key, uploadId, parts,
            new ObjectWriteOptions { IfNoneMatchStar = ifNoneMatchStar, IfMatch = ifMatch }, call.Aborted);
        var request = call.Context.Request;
        await WriteXmlAsync(call, S3Xml.Write("CompleteMultipartUploadResult", w =>
        {
            w.Element("Location", $"{request.Scheme}://{request.Host}/{call.Bucket}/{S3Target.UrlEncode(call.Key, keepSlash: true)}");
            w.Element("Bucket", call.Bucket);
            w.Element("Key", call.Key);
            w.Element("ETag", info.QuotedETag);
        }));
    }

    private Task AbortMultipartUploadAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        _store.AbortMultipartUpload(call.Bucket, call.Key, call.Target.Get("uploadId")!);
        NoContent(call);
        return Task.CompletedTask;
    }

    private Task ListPartsAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var uploadId = call.Target.Get("uploadId")!;
        var maxParts = ParseCount(call.Target.Get("max-parts"), "max-parts");
        var marker = ParseCount(call.Target.Get("part-number-marker"), "part-number-marker", 0);
        var all = _store.ListParts(call.Bucket, call.Key, uploadId);
        var page = all.Where(p => p.PartNumber > marker).Take(maxParts + 1).ToList();
        var truncated = page.Count > maxParts;
        if (truncated)
        {
            page.RemoveAt(page.Count - 1);
        }

        return WriteXmlAsync(call, S3Xml.Write("ListPartsResult", w =>
        {
            w.Element("Bucket", call.Bucket);
            w.Element("Key", call.Key);
            w.Element("UploadId", uploadId);
            S3Xml.Owner(w, "Initiator");
            S3Xml.Owner(w);
            w.Element("StorageClass", "STANDARD");
            w.Element("PartNumberMarker", marker.ToString(CultureInfo.InvariantCulture));
            if (page.Count > 0)
            {
                w.Element("NextPartNumberMarker", page[^1].PartNumber.ToString(CultureInfo.InvariantCulture));
            }

            w.Element("MaxParts", maxParts.ToString(CultureInfo.InvariantCulture));
            w.Element("IsTruncated", truncated ? "true" : "false");
            foreach (var p in page)
            {
                w.WriteStartElement("Part", S3Xml.Namespace);
                w.Element("PartNumber", p.PartNumber.ToString(CultureInfo.InvariantCulture));
                w.Element("LastModified", S3Xml.Timestamp(p.LastModified));
                w.Element("ETag", "\"" + p.ETag + "\"");
                w.Element("Size", p.Size.ToString(CultureInfo.InvariantCulture));
                w.WriteEndElement();
            }
        }));
    }

    private Task ListMultipartUploadsAsync(S3Call call)
    {
        RequireAuth(call);
        RequireBucket(call.Bucket);
        var prefix = call.Target.Get("prefix") ?? "";
        var maxUploads = ParseCount(call.Target.Get("max-uploads"), "max-uploads");
        var uploads = _store.ListMultipartUploads(call.Bucket).Where(u => u.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        var truncated = uploads.Count > maxUploads;
        var page = uploads.Take(maxUploads).ToList();
        return WriteXmlAsync(call, S3Xml.Write("ListMultipartUploadsResult", w =>
        {
            w.Element("Bucket", call.Bucket);
            w.Element("KeyMarker", "");
            w.Element("UploadIdMarker", "");
            if (truncated)
            {
                w.Element("NextKeyMarker", page[^1].Key);
                w.Element("NextUploadIdMarker", page[^1].UploadId);
            }

            w.Element("Prefix", prefix);
            w.Element("MaxUploads", maxUploads.ToString(CultureInfo.InvariantCulture));
            w.Element("IsTruncated", truncated ? "true" : "false");
            foreach (var u in page)
            {
                w.WriteStartElement("Upload", S3Xml.Namespace);
                w.Element("Key", u.Key);
                w.Element("UploadId", u.UploadId);
                S3Xml.Owner(w, "Initiator");
                S3Xml.Owner(w);
                w.Element("StorageClass", "STANDARD");
                w.Element("Initiated", S3Xml.Timestamp(u.Initiated));
                w.WriteEndElement();
            }
        }));
    }

    private static int ParseCount(string? value, string name, int fallback = 1000)
    {
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? Math.Min(n, 1000)
            : throw S3Exception.InvalidArgument($"{name} must be a non-negative integer.");
    }
}

namespace Tandem.Origin.Storage;

/// <summary>A bucket and its settings.</summary>
public sealed record BucketInfo
{
    public required string Name { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary>Region reported by GetBucketLocation.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Website hosting configuration, or null when website hosting is off.</summary>
    public WebsiteConfiguration? Website { get; init; }

    /// <summary>The bucket policy document exactly as it was put, or null.</summary>
    public string? PolicyJson { get; init; }

    /// <summary>True when the policy grants s3:GetObject on the objects to everyone.</summary>
    public bool IsPublicRead => PublicReadPolicy.Allows(PolicyJson, Name);
}

/// <summary>Headers stored with an object and served back on GET and HEAD.</summary>
public sealed record ObjectHeaders
{
    public string? ContentType { get; init; }

    public string? CacheControl { get; init; }

    public string? ContentEncoding { get; init; }

    public string? ContentDisposition { get; init; }

    public string? ContentLanguage { get; init; }

    public string? Expires { get; init; }

    /// <summary>x-amz-website-redirect-location: the website endpoint answers 301 to it.</summary>
    public string? WebsiteRedirectLocation { get; init; }

    /// <summary>x-amz-meta-* values; names lower-case, without the prefix.</summary>
    public IReadOnlyDictionary<string, string> UserMetadata { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public static ObjectHeaders Empty { get; } = new();
}

/// <summary>What is known about a stored object.</summary>
public sealed record ObjectInfo
{
    public required string Key { get; init; }

    public required long Size { get; init; }

    /// <summary>Entity tag without quotes: hex MD5, or hex MD5 of part MD5s with "-N".</summary>
    public required string ETag { get; init; }

    public required DateTimeOffset LastModified { get; init; }

    public ObjectHeaders Headers { get; init; } = ObjectHeaders.Empty;

    /// <summary>Checksums the client sent and the server verified: algorithm ("CRC32") to base64.</summary>
    public IReadOnlyDictionary<string, string> Checksums { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Number of parts for a multipart object, 0 for a single PUT.</summary>
    public int PartsCount { get; init; }

    /// <summary>The ETag as sent in headers and XML: in double quotes.</summary>
    public string QuotedETag => "\"" + ETag + "\"";
}

/// <summary>An open object: its metadata and a handle on exactly the bytes it describes.</summary>
public interface IObjectContent : IDisposable
{
    ObjectInfo Info { get; }

    /// <summary>Copies <paramref name="count"/> body bytes starting at <paramref name="offset"/>.</summary>
    Task CopyToAsync(Stream destination, long offset, long count, CancellationToken cancellationToken);

    /// <summary>A read-only stream over the whole body.</summary>
    Stream OpenRead();
}

/// <summary>The body of a write, once it is on disk but before it becomes visible.</summary>
/// <param name="Length">Bytes written.</param>
/// <param name="Md5">MD5 of the bytes written.</param>
public readonly record struct WrittenBody(long Length, byte[] Md5);

/// <summary>Everything about a write except the bytes.</summary>
public sealed class ObjectWriteOptions
{
    public ObjectHeaders Headers { get; init; } = ObjectHeaders.Empty;

    /// <summary>If-None-Match: * — fail with PreconditionFailed when the key exists.</summary>
    public bool IfNoneMatchStar { get; init; }

    /// <summary>If-Match: ETag — fail with PreconditionFailed unless the current ETag matches.</summary>
    public string? IfMatch { get; init; }

    /// <summary>
    /// Runs after the whole body was read and flushed to a temporary file, before it becomes
    /// visible. Throw (an <see cref="S3Exception"/>) to discard it; nothing is stored then.
    /// Returns verified checksums to record with the object.
    /// </summary>
    public Func<WrittenBody, ValueTask<IReadOnlyDictionary<string, string>?>>? BeforeCommit { get; init; }
}

/// <summary>A listing request, as ListObjects v1 and v2 both reduce to.</summary>
public sealed record ListRequest
{
    public string Prefix { get; init; } = "";

    public string? Delimiter { get; init; }

    /// <summary>List keys (and common prefixes) strictly after this one, in UTF-8 byte order.</summary>
    public string? After { get; init; }

    /// <summary>1 to 1000.</summary>
    public int MaxKeys { get; init; } = 1000;
}

/// <summary>One page of a listing. Entries and prefixes together are at most MaxKeys.</summary>
public sealed record ListPage
{
    public required IReadOnlyList<ObjectInfo> Objects { get; init; }

    public required IReadOnlyList<string> CommonPrefixes { get; init; }

    public required bool IsTruncated { get; init; }

    /// <summary>When truncated: the last key or common prefix returned; the next page starts after it.</summary>
    public string? NextAfter { get; init; }
}

/// <summary>A part of a multipart upload.</summary>
public sealed record PartInfo(int PartNumber, long Size, string ETag, DateTimeOffset LastModified)
{
    public IReadOnlyDictionary<string, string> Checksums { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>An upload in progress.</summary>
public sealed record UploadInfo(string Bucket, string Key, string UploadId, DateTimeOffset Initiated, ObjectHeaders Headers);

/// <summary>A part named in CompleteMultipartUpload.</summary>
public readonly record struct CompletedPart(int PartNumber, string ETag);

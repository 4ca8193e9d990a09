namespace Tandem.Origin.Storage;

/// <summary>
/// Buckets and objects. Every method that can fail the way S3 fails throws
/// <see cref="S3Exception"/> with S3's code (NoSuchBucket, NoSuchKey, BucketNotEmpty,
/// PreconditionFailed, InvalidPart, ...). Keys are opaque UTF-8 strings; none reaches the
/// filesystem as a path. A write becomes visible whole or not at all.
/// </summary>
public interface IObjectStore
{
    /// <summary>Buckets in name order.</summary>
    IReadOnlyList<BucketInfo> ListBuckets();

    /// <summary>The bucket, or null when there is none.</summary>
    BucketInfo? GetBucket(string bucket);

    /// <summary>Creates a bucket; false when it already exists (owned: there is one owner).</summary>
    bool CreateBucket(string bucket, string region);

    /// <summary>Deletes an empty bucket (NoSuchBucket, BucketNotEmpty).</summary>
    void DeleteBucket(string bucket);

    /// <summary>Sets or (with null) removes the website configuration.</summary>
    void SetWebsite(string bucket, WebsiteConfiguration? configuration);

    /// <summary>Sets or (with null) removes the bucket policy, stored verbatim.</summary>
    void SetPolicy(string bucket, string? policyJson);

    /// <summary>Object metadata, or null when the key does not exist (NoSuchBucket if the bucket doesn't).</summary>
    ObjectInfo? GetObjectInfo(string bucket, string key);

    /// <summary>Opens an object; the content and metadata belong to one version. Null when missing.</summary>
    IObjectContent? OpenObject(string bucket, string key);

    /// <summary>Stores an object atomically: the old version stays whole until the new one replaces it.</summary>
    Task<ObjectInfo> PutObjectAsync(string bucket, string key, Stream body, ObjectWriteOptions options, CancellationToken cancellationToken);

    /// <summary>Copies an object; <paramref name="replaceHeaders"/> null keeps the source's headers.</summary>
    Task<ObjectInfo> CopyObjectAsync(string sourceBucket, string sourceKey, string bucket, string key, ObjectHeaders? replaceHeaders, CancellationToken cancellationToken);

    /// <summary>Deletes an object; false when it did not exist (S3 answers 204 either way).</summary>
    bool DeleteObject(string bucket, string key);

    /// <summary>Lists keys in UTF-8 byte order.</summary>
    ListPage List(string bucket, ListRequest request);

    /// <summary>Starts a multipart upload and returns its id.</summary>
    string CreateMultipartUpload(string bucket, string key, ObjectHeaders headers);

    /// <summary>Stores one part; a part uploaded again replaces the earlier one.</summary>
    Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWriteOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Joins the listed parts into the object (InvalidPart, InvalidPartOrder, EntityTooSmall) and
    /// makes it visible atomically; the ETag is MD5 of the part MD5s with "-N".
    /// </summary>
    Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectWriteOptions options, CancellationToken cancellationToken);

    /// <summary>Discards an upload and its parts.</summary>
    void AbortMultipartUpload(string bucket, string key, string uploadId);

    /// <summary>Parts uploaded so far, by part number.</summary>
    IReadOnlyList<PartInfo> ListParts(string bucket, string key, string uploadId);

    /// <summary>Uploads in progress in a bucket.</summary>
    IReadOnlyList<UploadInfo> ListMultipartUploads(string bucket);
}

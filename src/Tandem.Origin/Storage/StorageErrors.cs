namespace Tandem.Origin.Storage;

/// <summary>The S3 errors only the store raises, worded as S3 words them.</summary>
internal static class StorageErrors
{
    public static S3Exception InvalidBucketName(string bucket, string problem) => new("InvalidBucketName", 400, $"The specified bucket is not valid: {problem}.", bucket);

    public static S3Exception BucketNotEmpty(string bucket) => new("BucketNotEmpty", 409, "The bucket you tried to delete is not empty.", bucket);

    public static S3Exception InvalidPart(int partNumber) =>
        new("InvalidPart", 400, $"One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag (part {partNumber}).");

    public static S3Exception InvalidPartOrder() => new("InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number.");

    public static S3Exception EntityTooSmall(int partNumber, long size, long minimum) =>
        new("EntityTooSmall", 400, $"Your proposed upload is smaller than the minimum allowed object size: part {partNumber} is {size} bytes, and every part but the last must be at least {minimum}.");

    public static S3Exception SelfCopyWithoutChange() =>
        S3Exception.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
}

using Microsoft.Extensions.Logging;

namespace Tandem.Origin.Storage;

/// <summary>What the file store tells operators; event ids 1100–1199 belong to storage.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Loaded bucket {Bucket}: {ObjectCount} objects and {UploadCount} multipart uploads indexed in {ElapsedMs} ms")]
    public static partial void BucketLoaded(ILogger logger, string bucket, int objectCount, int uploadCount, long elapsedMs);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Removed {Count} leftover temporary files from {Directory} (writes cut short by a crash or kill)")]
    public static partial void TempLeftoversRemoved(ILogger logger, int count, string directory);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Skipped object file {Path}: {Problem}; something other than Tandem wrote or changed it, and it stays on disk unlisted")]
    public static partial void ObjectFileSkipped(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Could not serve object file {Path}: {Problem}; something other than Tandem changed it, and the key answers as missing")]
    public static partial void ObjectFileUnreadable(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Skipped bucket directory {Path}: {Problem}")]
    public static partial void BucketSkipped(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Skipped multipart upload directory {Path}: {Problem}")]
    public static partial void UploadSkipped(ILogger logger, string path, string problem);
}

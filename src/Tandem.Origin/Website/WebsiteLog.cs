using Microsoft.Extensions.Logging;

namespace Tandem.Origin.Website;

/// <summary>Log events of the website endpoint (event ids 1100-1199).</summary>
internal static partial class WebsiteLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "Website request {RequestId} for key {Key} in bucket {Bucket} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string requestId, string key, string? bucket);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Website request {RequestId} failed after the response started; the connection was aborted")]
    public static partial void AbortedAfterStart(ILogger logger, Exception exception, string requestId);
}

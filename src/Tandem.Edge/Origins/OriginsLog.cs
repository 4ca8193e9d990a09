using Microsoft.Extensions.Logging;

namespace Tandem.Edge.Origins;

/// <summary>What origin fetching and health tell operators; event ids 2100–2199 belong to Edge.Origins.</summary>
internal static partial class OriginsLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Origin {Origin} is unhealthy: {Reason}; requests skip it until it answers probes well again")]
    public static partial void OriginUnhealthy(ILogger logger, string origin, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Origin {Origin} is healthy again after {Successes} good answers in a row; requests go to it in group order")]
    public static partial void OriginHealthy(ILogger logger, string origin, int successes);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "{Method} {Path}: origin {Origin} failed ({Outcome}: {Error}) after {ElapsedMs} ms; trying {Next}")]
    public static partial void FailedOver(ILogger logger, string method, string path, string origin, OriginAttemptOutcome outcome, string? error, long elapsedMs, string next);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "{Method} {Path}: every origin tried in {Group} failed ({Attempts})")]
    public static partial void AllOriginsFailed(ILogger logger, string method, string path, string group, string attempts);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Debug, Message = "Probe of origin {Origin} at {Path} failed: {Reason}")]
    public static partial void ProbeFailed(ILogger logger, string origin, string path, string reason);
}

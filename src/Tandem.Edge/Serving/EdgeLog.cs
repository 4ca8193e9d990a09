using Microsoft.Extensions.Logging;

namespace Tandem.Edge.Serving;

internal static partial class EdgeLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Edge request {Method} {Path} failed unexpectedly")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Background refresh of {Path} failed")]
    public static partial void RefreshFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "TLS certificate: {Problem}")]
    public static partial void CertificateProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Invalidated {Count} entries for {Paths}")]
    public static partial void Invalidated(ILogger logger, int count, IReadOnlyList<string> paths);
}

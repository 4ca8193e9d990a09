using Microsoft.Extensions.Logging;

namespace Tandem.Dns;

/// <summary>The DNS role's log messages; event ids 6000-6099.</summary>
internal static partial class DnsLog
{
    [LoggerMessage(6001, LogLevel.Warning, "Health check {Check} is now {State}: {Reason}")]
    public static partial void HealthChanged(ILogger logger, string check, string state, string reason);

    [LoggerMessage(6002, LogLevel.Debug, "DNS server error: {Message}")]
    public static partial void ServerError(ILogger logger, string message);

    [LoggerMessage(6003, LogLevel.Information, "DNS listening on {Endpoint} (UDP and TCP), metrics on {MetricsUrl}")]
    public static partial void Listening(ILogger logger, string endpoint, string metricsUrl);
}

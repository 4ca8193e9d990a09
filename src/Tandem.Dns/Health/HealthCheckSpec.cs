using Tandem.Core.Configuration;

namespace Tandem.Dns.Health;

/// <summary>A health check resolved from the config: what to contact and what counts as a pass.</summary>
public sealed record HealthCheckSpec(
    string Name,
    string Type,
    string Host,
    int Port,
    Uri? Url,
    string? HostHeader,
    int StatusLow,
    int StatusHigh,
    string? BodyContains,
    TimeSpan Interval,
    TimeSpan Timeout,
    int FailureThreshold,
    int RecoveryThreshold)
{
    /// <summary>Route 53 looks for a string match in the first 5,120 bytes of the body.</summary>
    public const int BodyBytes = 5120;

    public static HealthCheckSpec FromConfig(string name, DnsHealthCheckConfig c)
    {
        DnsRecordValues.TryStatusRange(c.ExpectedStatus, out var low, out var high);
        Uri? url = null;
        string host;
        int port;
        if (c.Target.Contains("://", StringComparison.Ordinal))
        {
            url = new Uri(c.Target);
            host = url.Host;
            port = url.Port;
            if (url.AbsolutePath == "/" && c.Path != "/")
            {
                url = new Uri(url, c.Path);
            }
        }
        else
        {
            var colon = c.Target.LastIndexOf(':');
            host = c.Target[..colon].Trim('[', ']');
            port = int.Parse(c.Target.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture);
            if (c.Type != "tcp")
            {
                var h = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
                url = new Uri($"{c.Type}://{h}:{port}{c.Path}");
            }
        }

        return new HealthCheckSpec(name, c.Type, host, port, url, c.Host, low, high, c.BodyContains,
            TimeSpan.FromMilliseconds(c.IntervalMs), TimeSpan.FromMilliseconds(Math.Min(c.TimeoutMs, c.IntervalMs)), c.FailureThreshold, c.RecoveryThreshold);
    }

    public override string ToString() => Url?.ToString() ?? $"tcp://{Host}:{Port}";
}

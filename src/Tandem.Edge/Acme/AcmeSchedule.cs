using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Tandem.Edge.Acme;

/// <summary>
/// When the edge's ACME renewer acts: obtain now (no certificate, one that misses a name, or one
/// past its renewal point), otherwise wait until the renewal point; after a failure wait 30 s,
/// doubling to at most 1 h, until a success resets it. Plain code over a clock so it is tested
/// without a CA.
/// </summary>
public sealed class AcmeSchedule(IReadOnlyList<string> names, double renewBeforeFraction, TimeProvider time, TimeSpan? firstRetry = null)
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan MaxRetry = TimeSpan.FromHours(1);

    /// <summary>Failures since the last success.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>When a certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/> is due for renewal.</summary>
    public DateTimeOffset RenewAt(DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        notBefore + ((notAfter - notBefore) * (1 - renewBeforeFraction));

    /// <summary>Zero when a certificate should be obtained now, else how long the current one is good for.</summary>
    public TimeSpan UntilRenewal(X509Certificate2? current)
    {
        if (current is null || !Covers(current, names))
        {
            return TimeSpan.Zero;
        }

        var wait = RenewAt(current.NotBefore.ToUniversalTime(), current.NotAfter.ToUniversalTime()) - time.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>
    /// True when <paramref name="current"/> is missing, misses a name, or has less than half of its
    /// renewal window left: with a share that cannot be reached, an edge then orders for itself
    /// rather than let the certificate run out.
    /// </summary>
    public bool Urgent(X509Certificate2? current)
    {
        if (current is null || !Covers(current, names))
        {
            return true;
        }

        var notBefore = current.NotBefore.ToUniversalTime();
        var notAfter = current.NotAfter.ToUniversalTime();
        return time.GetUtcNow() >= notAfter - ((notAfter - notBefore) * (renewBeforeFraction / 2));
    }

    /// <summary>Records a failure; returns how long to wait before trying again.</summary>
    public TimeSpan Failed()
    {
        ConsecutiveFailures++;
        var exponent = Math.Min(ConsecutiveFailures - 1, 20);
        var wait = (firstRetry ?? FirstRetry) * Math.Pow(2, exponent);
        return wait < MaxRetry ? wait : MaxRetry;
    }

    public void Succeeded() => ConsecutiveFailures = 0;

    /// <summary>True when the certificate's subject alternative names include every one of <paramref name="names"/> (DNS case-insensitively).</summary>
    public static bool Covers(X509Certificate2 certificate, IEnumerable<string> names)
    {
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        if (san is null)
        {
            return false;
        }

        var dns = san.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ips = san.EnumerateIPAddresses().ToHashSet();
        return names.All(n => IPAddress.TryParse(n, out var ip) ? ips.Contains(ip) : dns.Contains(n));
    }
}

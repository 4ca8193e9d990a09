using Tandem.Edge.Acme;
using Tandem.Edge.Tls;
using Tandem.Tests.Edge.Caching;

namespace Tandem.Tests.Edge.Acme;

public sealed class AcmeScheduleTests
{
    [Fact]
    public void UntilRenewal_NoCertificate_Now()
    {
        var schedule = new AcmeSchedule(["localhost"], 0.3333, new ManualTimeProvider(DateTimeOffset.UtcNow));

        Assert.Equal(TimeSpan.Zero, schedule.UntilRenewal(null));
    }

    [Fact]
    public void UntilRenewal_CertificateMissingAName_Now()
    {
        using var certificate = SelfSignedCertificate.Create(["localhost"], TimeSpan.FromDays(90));
        var schedule = new AcmeSchedule(["localhost", "www.example.com"], 0.3333, new ManualTimeProvider(DateTimeOffset.UtcNow));

        Assert.Equal(TimeSpan.Zero, schedule.UntilRenewal(certificate));
    }

    [Fact]
    public void UntilRenewal_FreshCertificate_WaitsUntilTwoThirdsOfItsLifetime_ThenNow()
    {
        using var certificate = SelfSignedCertificate.Create(["www.example.com", "127.0.0.1"], TimeSpan.FromDays(90));
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var lifetime = certificate.NotAfter.ToUniversalTime() - certificate.NotBefore.ToUniversalTime();
        var clock = new ManualTimeProvider(notBefore);
        var schedule = new AcmeSchedule(["WWW.example.com", "127.0.0.1"], 0.3333, clock);

        var wait = schedule.UntilRenewal(certificate);

        Assert.Equal(lifetime * (1 - 0.3333), wait);
        clock.Advance(wait - TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.UntilRenewal(certificate));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, schedule.UntilRenewal(certificate));
        clock.Advance(TimeSpan.FromDays(60));
        Assert.Equal(TimeSpan.Zero, schedule.UntilRenewal(certificate));
    }

    [Fact]
    public void Failed_BacksOffFrom30SecondsDoublingToOneHour_AndSuccessResets()
    {
        var schedule = new AcmeSchedule(["localhost"], 0.3333, new ManualTimeProvider(DateTimeOffset.UtcNow));

        var waits = Enumerable.Range(0, 10).Select(_ => schedule.Failed()).ToList();

        Assert.Equal(
            [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600],
            waits.Select(w => w.TotalSeconds).ToList());
        Assert.Equal(10, schedule.ConsecutiveFailures);
        schedule.Succeeded();
        Assert.Equal(0, schedule.ConsecutiveFailures);
        Assert.Equal(TimeSpan.FromSeconds(30), schedule.Failed());
    }

    [Fact]
    public void Covers_ComparesDnsNamesWithoutCaseAndIpAddressesByValue()
    {
        using var certificate = SelfSignedCertificate.Create(["www.example.com", "::1"], TimeSpan.FromDays(1));

        Assert.True(AcmeSchedule.Covers(certificate, ["WWW.EXAMPLE.COM", "0:0:0:0:0:0:0:1"]));
        Assert.False(AcmeSchedule.Covers(certificate, ["example.com"]));
    }
}

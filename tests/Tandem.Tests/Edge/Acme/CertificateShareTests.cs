using Tandem.Core.Configuration;
using Tandem.Edge;
using Tandem.Edge.Acme;
using Tandem.Edge.Acme.Sharing;
using Tandem.Edge.Tls;
using Tandem.Tests.Edge.Caching;

namespace Tandem.Tests.Edge.Acme;

/// <summary>The share's lease, names and contents, over a real folder; and what an edge with ACME checks at start.</summary>
public sealed class CertificateShareTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("tandem-share");
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task TryLease_SecondHolderRefusedWhileCurrent_TakesOverOnceExpired()
    {
        var a = new DirectoryShare(_dir.FullName);
        var b = new DirectoryShare(_dir.FullName);

        Assert.True(await a.TryLeaseAsync("edge-a", Now, Now.AddMinutes(5), default));
        Assert.False(await b.TryLeaseAsync("edge-b", Now.AddMinutes(1), Now.AddMinutes(6), default));
        Assert.True(await a.TryLeaseAsync("edge-a", Now.AddMinutes(1), Now.AddMinutes(6), default)); // its own: renewed
        Assert.True(await b.TryLeaseAsync("edge-b", Now.AddMinutes(7), Now.AddMinutes(12), default)); // a's ran out
        Assert.Equal("edge-b", (await a.ReadLeaseAsync(default))!.Holder);
    }

    [Fact]
    public async Task ReleaseLease_OnlyByItsHolder()
    {
        var share = new DirectoryShare(_dir.FullName);
        Assert.True(await share.TryLeaseAsync("edge-b", Now, Now.AddMinutes(5), default));

        await share.ReleaseLeaseAsync("edge-a", default);
        Assert.Equal("edge-b", (await share.ReadLeaseAsync(default))!.Holder);
        await share.ReleaseLeaseAsync("edge-b", default);
        Assert.Null(await share.ReadLeaseAsync(default));
    }

    [Fact]
    public async Task TryLease_UnreadableLease_IsReplaced()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, CertificateShare.LeaseName), "{ half-writ");
        var share = new DirectoryShare(_dir.FullName);

        Assert.True(await share.TryLeaseAsync("edge-a", Now, Now.AddMinutes(5), default));
        Assert.Equal("edge-a", (await share.ReadLeaseAsync(default))!.Holder);
    }

    [Fact]
    public async Task Certificate_RoundTripsChainAndKey_OwnerOnly()
    {
        using var certificate = SelfSignedCertificate.Write(Path.Combine(_dir.FullName, "c.pem"), Path.Combine(_dir.FullName, "k.pem"), ["www.example.com"], TimeSpan.FromDays(1));
        var chain = File.ReadAllText(Path.Combine(_dir.FullName, "c.pem"));
        var key = File.ReadAllText(Path.Combine(_dir.FullName, "k.pem"));
        var share = new DirectoryShare(Path.Combine(_dir.FullName, "shared"));

        Assert.Null(await share.ReadCertificateAsync(default));
        await share.WriteCertificateAsync(new SharedCertificate(chain, key), default);
        var read = await share.ReadCertificateAsync(default);

        Assert.NotNull(read);
        Assert.Equal(chain.Trim(), read.ChainPem.Trim());
        Assert.Equal(key.Trim(), read.KeyPem.Trim());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir.FullName, "shared", CertificateShare.CertificateName)));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public void Parse_ChainOrKeyMissing_Null(string pem) => Assert.Null(SharedCertificate.Parse(pem));

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("a/b")]
    [InlineData("tok en")]
    [InlineData("")]
    public async Task Challenge_NotAToken_NeverBecomesAName(string token)
    {
        var share = new DirectoryShare(_dir.FullName);

        Assert.False(CertificateShare.IsToken(token));
        Assert.Null(await share.GetChallengeAsync(token, default));
        await Assert.ThrowsAsync<ArgumentException>(() => share.PutChallengeAsync(token, "x", default));
    }

    [Fact]
    public async Task Challenges_PublishedByOneEdge_FoundByAnother_AndWithdrawn()
    {
        var ordering = new Http01Challenges(new DirectoryShare(_dir.FullName));
        var other = new Http01Challenges(new DirectoryShare(_dir.FullName));

        await ordering.PublishAsync("tok_EN-1", "tok_EN-1.thumb", default);
        Assert.Equal("tok_EN-1.thumb", await other.FindAsync("tok_EN-1", default));
        Assert.Null(await other.Local.FindAsync("tok_EN-1", default));
        await ordering.WithdrawAsync("tok_EN-1");
        Assert.Null(await other.FindAsync("tok_EN-1", default));
    }

    [Fact]
    public void Urgent_InTheLastHalfOfTheRenewalWindow()
    {
        using var certificate = SelfSignedCertificate.Create(["www.example.com"], TimeSpan.FromDays(90));
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var lifetime = certificate.NotAfter.ToUniversalTime() - certificate.NotBefore.ToUniversalTime();
        var clock = new ManualTimeProvider(notBefore);
        var schedule = new AcmeSchedule(["www.example.com"], 0.5, clock);

        clock.Advance(lifetime * 0.6); // due for renewal, not yet urgent
        Assert.Equal(TimeSpan.Zero, schedule.UntilRenewal(certificate));
        Assert.False(schedule.Urgent(certificate));
        clock.Advance(lifetime * 0.2);
        Assert.True(schedule.Urgent(certificate));
        Assert.True(schedule.Urgent(null));
    }

    [Fact]
    public void StartupCheck_GarbageAccountKey_NamesTheDataDirAndTheFix()
    {
        var options = Options();
        Directory.CreateDirectory(options.DataDir);
        File.WriteAllText(new AcmeAccountStore(options.DataDir).KeyFile, "not a key");

        var e = Assert.Single(AcmeStartupCheck.Check(options, "$.edges.edge-1.acme"));

        Assert.Equal("$.edges.edge-1.acme.dataDir", e.Path);
        Assert.Contains("not a usable ECDSA private key", e.Message, StringComparison.Ordinal);
        Assert.Contains("delete", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartupCheck_KeyFileThatCannotBeRead_NamesIt()
    {
        var options = Options();
        Directory.CreateDirectory(options.KeyFile); // a folder where the key file should be: not readable as a file

        var e = Assert.Single(AcmeStartupCheck.Check(options, "$.edges.edge-1.acme"));

        Assert.Equal("$.edges.edge-1.acme.dataDir", e.Path);
        Assert.Contains($"cannot read '{options.KeyFile}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartupCheck_DataDirUnderAFile_CannotWrite()
    {
        var file = Path.Combine(_dir.FullName, "plain-file");
        File.WriteAllText(file, "");
        var options = Options(Path.Combine(file, "acme"));

        var e = Assert.Single(AcmeStartupCheck.Check(options, "$.edges.edge-1.acme"));

        Assert.Equal("$.edges.edge-1.acme.dataDir", e.Path);
        Assert.Contains("cannot write", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartupCheck_FreshFolder_NoErrorsAndCreatesIt()
    {
        var options = Options();

        Assert.Empty(AcmeStartupCheck.Check(options, "$.edges.edge-1.acme"));
        Assert.True(Directory.Exists(options.DataDir));
    }

    private EdgeAcmeOptions Options(string? dataDir = null) => new()
    {
        DirectoryUrl = new Uri(AcmeConfig.LetsEncryptStaging),
        Names = ["www.example.com"],
        DataDir = dataDir ?? Path.Combine(_dir.FullName, "acme"),
    };
}

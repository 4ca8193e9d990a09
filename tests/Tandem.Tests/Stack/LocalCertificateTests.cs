using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tandem.Stack.Up;

namespace Tandem.Tests.Stack;

public sealed class LocalCertificateTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("tandem-cert").FullName;

    [Fact]
    public void Create_IsAnEcdsaP256ServerCertificateForLocalhostAndLoopback_ValidAYear()
    {
        using var certificate = LocalCertificate.Create(Now);

        using var key = certificate.GetECDsaPublicKey()!;
        Assert.Equal(256, key.KeySize);
        Assert.Equal("1.2.840.10045.3.1.7", key.ExportParameters(false).Curve.Oid.Value); // prime256v1 (P-256)
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost"], san.EnumerateDnsNames());
        Assert.Equal(["127.0.0.1", "::1"], san.EnumerateIPAddresses().Select(a => a.ToString()));
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal("1.3.6.1.5.5.7.3.1", Assert.Single(eku.EnhancedKeyUsages.Cast<Oid>()).Value);
        Assert.False(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(365, (certificate.NotAfter.ToUniversalTime() - Now.UtcDateTime).TotalDays, 0.01);
    }

    [Fact]
    public void Ensure_WritesAMatchingPairWithAnOwnerOnlyKey_AndReusesIt()
    {
        var crt = Path.Combine(_dir, "tls", "edge.crt");
        var key = Path.Combine(_dir, "tls", "edge.key");

        Assert.True(LocalCertificate.Ensure(crt, key, Now));
        using (var pair = X509Certificate2.CreateFromPemFile(crt, key))
        {
            Assert.True(pair.HasPrivateKey);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        var first = File.ReadAllText(crt);

        Assert.False(LocalCertificate.Ensure(crt, key, Now.AddDays(300)));
        Assert.Equal(first, File.ReadAllText(crt));
    }

    [Fact]
    public void Ensure_RenewsACertificateWithin30DaysOfExpiry_OrABrokenPair()
    {
        var crt = Path.Combine(_dir, "edge.crt");
        var key = Path.Combine(_dir, "edge.key");
        LocalCertificate.Ensure(crt, key, Now);
        var first = File.ReadAllText(crt);

        Assert.True(LocalCertificate.Ensure(crt, key, Now.AddDays(340)));
        Assert.NotEqual(first, File.ReadAllText(crt));

        File.WriteAllText(key, "not a key");
        Assert.False(LocalCertificate.IsUsable(crt, key, Now));
        Assert.True(LocalCertificate.Ensure(crt, key, Now));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

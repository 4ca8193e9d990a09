using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tandem.Stack.Up;

/// <summary>
/// The edge's HTTPS certificate for a stack on one machine: self-signed, ECDSA P-256, for
/// localhost, 127.0.0.1 and ::1, valid a year. Kept while it has more than 30 days left.
/// </summary>
public static class LocalCertificate
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(365);
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>Writes a new pair of PEM files unless a usable one is there; true when it wrote one.</summary>
    public static bool Ensure(string certificateFile, string keyFile, DateTimeOffset now)
    {
        if (IsUsable(certificateFile, keyFile, now))
        {
            return false;
        }

        using var certificate = Create(now);
        using var key = certificate.GetECDsaPrivateKey()!;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(certificateFile))!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyFile))!);
        WriteOwnerOnly(keyFile, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem() + "\n");
        return true;
    }

    /// <summary>A new self-signed certificate with its private key.</summary>
    public static X509Certificate2 Create(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=Tandem (tandem up)", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddMinutes(-5), now + Lifetime);
    }

    /// <summary>True when both files are there, the key matches and the certificate has more than 30 days left.</summary>
    public static bool IsUsable(string certificateFile, string keyFile, DateTimeOffset now)
    {
        if (!File.Exists(certificateFile) || !File.Exists(keyFile))
        {
            return false;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            return certificate.NotAfter.ToUniversalTime() > (now + RenewBefore).UtcDateTime;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        // The mode is set on the empty file, before the key is in it.
        var temp = path + ".tmp";
        File.WriteAllText(temp, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(temp, text + "\n");
        File.Move(temp, path, overwrite: true);
    }
}

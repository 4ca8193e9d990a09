using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tandem.Edge.Tls;

namespace Tandem.Tests.Edge.Tls;

public sealed class CertificateStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tandem-tls").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Cert => Path.Combine(_dir, "cert.pem");

    private string Key => Path.Combine(_dir, "key.pem");

    [Fact]
    public void Current_FilesReplaced_PicksUpTheNewCertificate()
    {
        var first = SelfSignedCertificate.Write(Cert, Key, ["localhost"], TimeSpan.FromDays(1));
        using var store = new CertificateStore(Cert, Key, checkEvery: TimeSpan.Zero);
        Assert.Equal(first.SerialNumber, store.Current.SerialNumber);

        var second = SelfSignedCertificate.Write(Cert, Key, ["localhost", "127.0.0.1"], TimeSpan.FromDays(2));
        File.SetLastWriteTimeUtc(Cert, DateTime.UtcNow.AddSeconds(5));

        Assert.Equal(second.SerialNumber, store.Current.SerialNumber);
        Assert.True(store.Current.HasPrivateKey);
        Assert.Equal(1, store.Reloads);
    }

    [Fact]
    public void Current_BrokenReplacement_KeepsServingTheOldOneAndReports()
    {
        var first = SelfSignedCertificate.Write(Cert, Key, ["localhost"], TimeSpan.FromDays(1));
        var errors = new List<string>();
        using var store = new CertificateStore(Cert, Key, checkEvery: TimeSpan.Zero, onError: errors.Add);

        File.WriteAllText(Cert, "-----BEGIN CERTIFICATE-----\nnot base64\n");

        Assert.Equal(first.SerialNumber, store.Current.SerialNumber);
        Assert.NotEmpty(errors);
        Assert.Contains("cert.pem", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Current_NoFilesWithTemporary_ServesItUntilTheFilesAppear()
    {
        using var temporary = SelfSignedCertificate.Create(["localhost"], TimeSpan.FromDays(7));
        var errors = new List<string>();
        using var store = new CertificateStore(Cert, Key, checkEvery: TimeSpan.Zero, onError: errors.Add, temporary: () => temporary);

        Assert.True(store.IsTemporary);
        Assert.Equal(temporary.SerialNumber, store.Current.SerialNumber);
        Assert.True(store.Current.HasPrivateKey);
        Assert.Contains("temporary", errors[0], StringComparison.Ordinal);

        var issued = SelfSignedCertificate.Write(Cert, Key, ["localhost"], TimeSpan.FromDays(90));

        Assert.Equal(issued.SerialNumber, store.Current.SerialNumber);
        Assert.False(store.IsTemporary);
    }

    [Fact]
    public void Constructor_MissingKey_NamesTheFile()
    {
        SelfSignedCertificate.Write(Cert, Key, ["localhost"], TimeSpan.FromDays(1));
        File.Delete(Key);

        var ex = Assert.Throws<CertificateException>(() => new CertificateStore(Cert, Key));

        Assert.Contains("key.pem", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_KeyFile_IsOwnerOnly()
    {
        SelfSignedCertificate.Write(Cert, Key, ["localhost"], TimeSpan.FromDays(1));

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Key));
        }
    }

    [Fact]
    public void CurrentContext_PresentsTheLeafWithTheIntermediatesOfItsChainFile()
    {
        // root -> intermediate -> leaf, as a CA issues it: the chain file holds leaf and intermediate.
        var now = DateTimeOffset.UtcNow;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = CaRequest("CN=Test Root", rootKey).CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediate = CaRequest("CN=Test Intermediate", intermediateKey).Create(root, now.AddDays(-1), now.AddDays(20), [1, 2]);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=localhost", leafKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        using var leaf = leafRequest.Create(intermediate.CopyWithPrivateKey(intermediateKey), now.AddDays(-1), now.AddDays(10), [3, 4]);
        File.WriteAllText(Cert, leaf.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(Key, leafKey.ExportPkcs8PrivateKeyPem());

        using var store = new CertificateStore(Cert, Key);

        Assert.Equal(leaf.Thumbprint, store.CurrentContext.TargetCertificate.Thumbprint);
        Assert.True(store.CurrentContext.TargetCertificate.HasPrivateKey);
        Assert.Equal([intermediate.Thumbprint], store.CurrentContext.IntermediateCertificates.Select(c => c.Thumbprint));
        Assert.Equal(leaf.Thumbprint, store.Current.Thumbprint);
    }

    private static CertificateRequest CaRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }
}

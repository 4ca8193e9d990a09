using System.Security.Cryptography;
using Tandem.Edge.Acme;
using Tandem.Edge.Tls;

namespace Tandem.Tests.Edge.Acme;

public sealed class AcmeFilesTests : IDisposable
{
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("tandem-acme").FullName;

    public void Dispose() => System.IO.Directory.Delete(_dir, true);

    private static UnixFileMode ModeOf(string path) => OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(path);

    [Fact]
    public void CertificateFiles_Write_ReplacesBothFiles_KeyOwnerOnly_NoTemporariesLeft()
    {
        var (chain, key) = (Path.Combine(_dir, "tls", "edge.crt"), Path.Combine(_dir, "tls", "edge.key"));
        using var first = SelfSignedCertificate.Write(Path.Combine(_dir, "a.crt"), Path.Combine(_dir, "a.key"), ["localhost"], TimeSpan.FromDays(1));
        CertificateFiles.Write(chain, key, "old chain", "old key");

        CertificateFiles.Write(chain, key, File.ReadAllText(Path.Combine(_dir, "a.crt")), File.ReadAllText(Path.Combine(_dir, "a.key")));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(key));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, ModeOf(chain));
        Assert.Equal(["edge.crt", "edge.key"], System.IO.Directory.GetFiles(Path.Combine(_dir, "tls")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var store = new CertificateStore(chain, key);
        Assert.Equal(first.Thumbprint, store.Current.Thumbprint);
    }

    [Fact]
    public void AccountStore_KeyIsCreatedOnceOwnerOnly_AndLoadedAgain()
    {
        var store = new AcmeAccountStore(Path.Combine(_dir, "acme"));
        byte[] first;
        using (var key = store.LoadOrCreateKey())
        {
            first = key.ExportSubjectPublicKeyInfo();
        }

        using var again = new AcmeAccountStore(Path.Combine(_dir, "acme")).LoadOrCreateKey();
        Assert.Equal(first, again.ExportSubjectPublicKeyInfo());
        Assert.Equal(256, again.KeySize);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(store.KeyFile));
    }

    [Fact]
    public void AccountStore_AccountUrl_IsKeptPerDirectory()
    {
        var store = new AcmeAccountStore(_dir);
        Assert.Null(store.LoadAccountUrl("https://acme.test/dir"));

        store.SaveAccountUrl("https://acme.test/dir", "https://acme.test/acct/1");

        Assert.Equal("https://acme.test/acct/1", store.LoadAccountUrl("https://acme.test/dir"));
        Assert.Null(store.LoadAccountUrl("https://other.test/dir"));
    }

    [Fact]
    public void AccountStore_KeyFileNotAKey_IsAnErrorNamingTheFile()
    {
        var store = new AcmeAccountStore(_dir);
        File.WriteAllText(store.KeyFile, "not a key");

        var error = Assert.Throws<InvalidOperationException>(() => store.LoadOrCreateKey());
        Assert.Contains(store.KeyFile, error.Message);
    }

    [Fact]
    public void Http01Challenges_AddGetRemove()
    {
        var challenges = new Http01Challenges();
        challenges.Add("t1", "t1.thumb");

        Assert.True(challenges.TryGet("t1", out var answer));
        Assert.Equal("t1.thumb", answer);
        challenges.Remove("t1");
        Assert.False(challenges.TryGet("t1", out _));
    }
}

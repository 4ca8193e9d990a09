using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tandem.Edge.Acme;

/// <summary>
/// The ACME account in a folder: its P-256 key as <c>account.key</c> (PKCS#8 PEM, mode 0600)
/// and <c>account.json</c> with the directory and account URL it was registered at.
/// </summary>
public sealed class AcmeAccountStore(string directory)
{
    public string KeyFile => Path.Combine(directory, "account.key");

    public string AccountFile => Path.Combine(directory, "account.json");

    /// <summary>The stored key, or a new one stored first (so a crash never loses a registered key).</summary>
    public ECDsa LoadOrCreateKey()
    {
        var key = ECDsa.Create();
        if (File.Exists(KeyFile))
        {
            try
            {
                key.ImportFromPem(File.ReadAllText(KeyFile));
            }
            catch (Exception ex) when (ex is ArgumentException or CryptographicException)
            {
                key.Dispose();
                throw new InvalidOperationException($"{KeyFile}: not a usable ECDSA private key in PEM ({ex.Message}).", ex);
            }

            return key;
        }

        key.GenerateKey(ECCurve.NamedCurves.nistP256);
        CertificateFiles.WriteAtomically(KeyFile, key.ExportPkcs8PrivateKeyPem(), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return key;
    }

    /// <summary>The account URL stored for <paramref name="directoryUrl"/>, or null.</summary>
    public string? LoadAccountUrl(string directoryUrl)
    {
        if (!File.Exists(AccountFile))
        {
            return null;
        }

        try
        {
            var node = JsonNode.Parse(File.ReadAllText(AccountFile));
            return (string?)node?["directory"] == directoryUrl ? (string?)node?["url"] : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void SaveAccountUrl(string directoryUrl, string accountUrl) =>
        CertificateFiles.WriteAtomically(
            AccountFile,
            new JsonObject { ["directory"] = directoryUrl, ["url"] = accountUrl }.ToJsonString(),
            UnixFileMode.UserRead | UnixFileMode.UserWrite);
}

using System.Text.RegularExpressions;

namespace Tandem.Edge.Acme.Sharing;

/// <summary>
/// A certificate chain with its key, kept as one PEM document in a share so no reader ever pairs a
/// new chain with the previous key.
/// </summary>
public sealed partial record SharedCertificate(string ChainPem, string KeyPem)
{
    public string ToPem() => ChainPem.TrimEnd() + "\n" + KeyPem.TrimEnd() + "\n";

    /// <summary>The chain (every CERTIFICATE block) and the key (the PRIVATE KEY block), or null when either is missing.</summary>
    public static SharedCertificate? Parse(string? pem)
    {
        if (pem is null)
        {
            return null;
        }

        var certificates = CertificateBlock().Matches(pem).Select(m => m.Value).ToList();
        var key = KeyBlock().Match(pem);
        return certificates.Count == 0 || !key.Success
            ? null
            : new SharedCertificate(string.Join("\n", certificates) + "\n", key.Value + "\n");
    }

    [GeneratedRegex("-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----")]
    private static partial Regex CertificateBlock();

    [GeneratedRegex("-----BEGIN (EC |RSA )?PRIVATE KEY-----[A-Za-z0-9+/=\\s]+-----END (EC |RSA )?PRIVATE KEY-----")]
    private static partial Regex KeyBlock();
}

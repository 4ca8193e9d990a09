using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Tandem.Edge.Acme;

/// <summary>Base64url without padding (RFC 4648 §5), as JWS and ACME use it.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Encode(string text) => Encode(Encoding.UTF8.GetBytes(text));

    public static byte[] Decode(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}

/// <summary>
/// Signs ACME requests as flattened JWS with ES256 (RFC 7515, RFC 8555 §6.2): the account's
/// public key as <c>jwk</c> before the account exists, its URL as <c>kid</c> afterwards.
/// </summary>
public sealed class AcmeJws
{
    private readonly ECDsa _key;

    public AcmeJws(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            throw new ArgumentException("The ACME account key must be an ECDSA P-256 key (ES256).", nameof(key));
        }

        _key = key;
        var p = key.ExportParameters(includePrivateParameters: false);
        JwkMembers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["crv"] = "P-256",
            ["kty"] = "EC",
            ["x"] = Base64Url.Encode(p.Q.X),
            ["y"] = Base64Url.Encode(p.Q.Y),
        };
        Thumbprint = ComputeThumbprint(JwkMembers);
    }

    /// <summary>The public key's required JWK members (RFC 7638 §3.2), in lexicographic order.</summary>
    public IReadOnlyDictionary<string, string> JwkMembers { get; }

    /// <summary>The JWK thumbprint (RFC 7638) of the public key, base64url.</summary>
    public string Thumbprint { get; }

    /// <summary>The key authorization for an HTTP-01 token (RFC 8555 §8.1): token "." thumbprint.</summary>
    public string KeyAuthorization(string token) => $"{token}.{Thumbprint}";

    /// <summary>
    /// RFC 7638: SHA-256 over the required members as JSON with lexicographically sorted names
    /// and no whitespace. The values here are base64url or fixed names, so need no escaping
    /// beyond what <see cref="JsonValue"/> does.
    /// </summary>
    public static string ComputeThumbprint(IEnumerable<KeyValuePair<string, string>> requiredMembers)
    {
        var json = new StringBuilder("{");
        foreach (var (name, value) in requiredMembers.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (json.Length > 1)
            {
                json.Append(',');
            }

            json.Append(JsonValue.Create(name).ToJsonString()).Append(':').Append(JsonValue.Create(value).ToJsonString());
        }

        json.Append('}');
        return Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(json.ToString())));
    }

    /// <summary>
    /// The JWS body for a POST to <paramref name="url"/>. <paramref name="payloadJson"/> null is
    /// POST-as-GET (empty payload); <paramref name="kid"/> null puts the public key in the header.
    /// </summary>
    public string Sign(string url, string nonce, string? payloadJson, string? kid)
    {
        var header = new JsonObject { ["alg"] = "ES256" };
        if (kid is null)
        {
            var jwk = new JsonObject();
            foreach (var (name, value) in JwkMembers)
            {
                jwk[name] = value;
            }

            header["jwk"] = jwk;
        }
        else
        {
            header["kid"] = kid;
        }

        header["nonce"] = nonce;
        header["url"] = url;
        var protectedPart = Base64Url.Encode(header.ToJsonString());
        var payloadPart = payloadJson is null ? "" : Base64Url.Encode(payloadJson);
        var signature = _key.SignData(Encoding.ASCII.GetBytes($"{protectedPart}.{payloadPart}"), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new JsonObject
        {
            ["protected"] = protectedPart,
            ["payload"] = payloadPart,
            ["signature"] = Base64Url.Encode(signature),
        }.ToJsonString();
    }
}

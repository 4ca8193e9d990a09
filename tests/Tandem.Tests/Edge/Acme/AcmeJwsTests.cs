using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tandem.Edge.Acme;

namespace Tandem.Tests.Edge.Acme;

public sealed class AcmeJwsTests
{
    [Theory]
    [InlineData(new byte[] { }, "")]
    [InlineData(new byte[] { 0xfb, 0xff }, "-_8")]
    [InlineData(new byte[] { 0x66 }, "Zg")]
    [InlineData(new byte[] { 0x66, 0x6f, 0x6f, 0x62 }, "Zm9vYg")]
    public void Base64Url_EncodesWithoutPaddingAndUrlAlphabet_AndDecodesBack(byte[] data, string expected)
    {
        Assert.Equal(expected, Base64Url.Encode(data));
        Assert.Equal(data, Base64Url.Decode(expected));
    }

    [Fact]
    public void ComputeThumbprint_Rfc7638Example_MatchesTheRfc()
    {
        // RFC 7638 §3.1: the RSA key of RFC 7517's example, members given out of order.
        var members = new Dictionary<string, string>
        {
            ["n"] = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            ["kty"] = "RSA",
            ["e"] = "AQAB",
        };

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", AcmeJws.ComputeThumbprint(members));
    }

    [Fact]
    public void Thumbprint_EcKey_IsTheHashOfItsSortedRequiredMembers()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jws = new AcmeJws(key);
        var p = key.ExportParameters(false);
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64Url.Encode(p.Q.X)}\",\"y\":\"{Base64Url.Encode(p.Q.Y)}\"}}";

        Assert.Equal(Base64Url.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), jws.Thumbprint);
        Assert.Equal($"tok-1.{jws.Thumbprint}", jws.KeyAuthorization("tok-1"));
    }

    [Fact]
    public void Constructor_NotP256_IsRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => new AcmeJws(key));
    }

    [Fact]
    public void Sign_NewAccount_HasJwkNonceUrl_AndVerifiesWithThePublicKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var body = new AcmeJws(key).Sign("https://acme.test/new-acct", "nonce-1", "{\"termsOfServiceAgreed\":true}", kid: null);

        var (header, payload) = Verify(body, key);
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal("nonce-1", header.GetProperty("nonce").GetString());
        Assert.Equal("https://acme.test/new-acct", header.GetProperty("url").GetString());
        Assert.Equal("EC", header.GetProperty("jwk").GetProperty("kty").GetString());
        Assert.Equal(Base64Url.Encode(key.ExportParameters(false).Q.X!), header.GetProperty("jwk").GetProperty("x").GetString());
        Assert.False(header.TryGetProperty("kid", out _));
        Assert.Equal("{\"termsOfServiceAgreed\":true}", payload);
    }

    [Fact]
    public void Sign_WithKidAndNoPayload_IsPostAsGetWithKidOnly()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var body = new AcmeJws(key).Sign("https://acme.test/order/1", "n2", null, kid: "https://acme.test/acct/7");

        var (header, payload) = Verify(body, key);
        Assert.Equal("https://acme.test/acct/7", header.GetProperty("kid").GetString());
        Assert.False(header.TryGetProperty("jwk", out _));
        Assert.Equal("", payload);
        Assert.Equal("", JsonDocument.Parse(body).RootElement.GetProperty("payload").GetString());
    }

    [Fact]
    public void Sign_OtherKey_DoesNotVerify()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var body = new AcmeJws(key).Sign("https://acme.test/x", "n", "{}", kid: null);

        Assert.False(SignatureValid(body, other));
        Assert.True(SignatureValid(body, key));
    }

    private static bool SignatureValid(string body, ECDsa key)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        var signed = $"{root.GetProperty("protected").GetString()}.{root.GetProperty("payload").GetString()}";
        return key.VerifyData(Encoding.ASCII.GetBytes(signed), Base64Url.Decode(root.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static (JsonElement Header, string Payload) Verify(string body, ECDsa key)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        var protectedPart = root.GetProperty("protected").GetString()!;
        var payloadPart = root.GetProperty("payload").GetString()!;
        var signature = Base64Url.Decode(root.GetProperty("signature").GetString()!);
        Assert.Equal(64, signature.Length); // ES256: r || s, 32 bytes each (RFC 7518 §3.4)
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes($"{protectedPart}.{payloadPart}"), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var header = JsonDocument.Parse(Base64Url.Decode(protectedPart)).RootElement.Clone();
        return (header, Encoding.UTF8.GetString(Base64Url.Decode(payloadPart)));
    }
}

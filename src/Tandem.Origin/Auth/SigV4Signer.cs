using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tandem.Core.Configuration;

namespace Tandem.Origin.Auth;

/// <summary>A signed request and what its signature established (for signing aws-chunked bodies).</summary>
public sealed record SigningResult(SignedRequest Request, AuthContext Context);

/// <summary>
/// Signs requests the way the AWS SDKs do (the client side of <see cref="SigV4Verifier"/>): with
/// the Authorization header, as a presigned URL, and the chunks and trailer of aws-chunked bodies.
/// </summary>
public static class SigV4Signer
{
    // As botocore: headers that proxies add or change in flight are never signed.
    private static readonly HashSet<string> NeverSigned = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "expect", "transfer-encoding", "user-agent", "x-amzn-trace-id", "connection",
    };

    /// <summary>
    /// Signs with the Authorization header. Sets x-amz-date and x-amz-content-sha256 (replacing any
    /// value the request had) and signs every header except the hop-by-hop ones; the request must
    /// have a Host header.
    /// </summary>
    /// <param name="payloadHash">A hex SHA-256 of the body, or one of the <see cref="PayloadHashes"/> values.</param>
    public static SigningResult Sign(SignedRequest request, S3Credentials credentials, string region, DateTimeOffset time, string payloadHash)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var amzDate = SigV4.FormatAmzDate(time);
        var date = amzDate[..8];
        var headers = request.Headers
            .Where(h => !IsOneOf(h.Key, "authorization", "x-amz-date", "x-amz-content-sha256"))
            .Append(new("x-amz-date", amzDate))
            .Append(new("x-amz-content-sha256", payloadHash))
            .ToList();
        var names = SignedNames(headers);
        var signedHeaders = string.Join(';', names);
        var scope = SigV4.Scope(date, region);
        var key = SigV4.SigningKey(credentials.SecretAccessKey, date, region);
        var canonical = SigV4.CanonicalRequest(request.Method, SigV4.CanonicalUri(request.RawPath),
            SigV4.CanonicalQuery(SigV4.SplitQuery(request.RawQuery), plusIsSpace: true),
            SigV4.CanonicalHeaders(headers, names), signedHeaders, payloadHash);
        var signature = Convert.ToHexStringLower(SigV4.Sign(key, SigV4.StringToSign(amzDate, scope, canonical)));
        headers.Add(new("Authorization", $"{SigV4.Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}"));
        var context = new AuthContext(credentials.AccessKeyId, region, scope, amzDate, signature, (byte[])key.Clone(), payloadHash);
        return new SigningResult(request with { Headers = headers }, context);
    }

    /// <summary>
    /// Presigns: adds the X-Amz-* parameters and X-Amz-Signature to the query. The payload is
    /// UNSIGNED-PAYLOAD; every header the request has (Host at least) is signed and must be sent.
    /// </summary>
    public static SigningResult Presign(SignedRequest request, S3Credentials credentials, string region, DateTimeOffset time, TimeSpan expires)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var amzDate = SigV4.FormatAmzDate(time);
        var date = amzDate[..8];
        var scope = SigV4.Scope(date, region);
        var names = SignedNames(request.Headers);
        var signedHeaders = string.Join(';', names);
        var seconds = ((long)expires.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var query = new StringBuilder(request.RawQuery);
        void Add(string name, string value) =>
            query.Append(query.Length > 0 ? "&" : "").Append(name).Append('=').Append(SigV4.Encode(value, keepSlash: false));
        Add("X-Amz-Algorithm", SigV4.Algorithm);
        Add("X-Amz-Credential", $"{credentials.AccessKeyId}/{scope}");
        Add("X-Amz-Date", amzDate);
        Add("X-Amz-Expires", seconds);
        Add("X-Amz-SignedHeaders", signedHeaders);

        var key = SigV4.SigningKey(credentials.SecretAccessKey, date, region);
        var canonical = SigV4.CanonicalRequest(request.Method, SigV4.CanonicalUri(request.RawPath),
            SigV4.CanonicalQuery(SigV4.SplitQuery(query.ToString()), plusIsSpace: true),
            SigV4.CanonicalHeaders(request.Headers, names), signedHeaders, PayloadHashes.Unsigned);
        var signature = Convert.ToHexStringLower(SigV4.Sign(key, SigV4.StringToSign(amzDate, scope, canonical)));
        Add("X-Amz-Signature", signature);
        var context = new AuthContext(credentials.AccessKeyId, region, scope, amzDate, signature, (byte[])key.Clone(), PayloadHashes.Unsigned) { IsPresigned = true };
        return new SigningResult(request with { RawQuery = query.ToString() }, context);
    }

    /// <summary>The signature of one aws-chunked chunk (hex), chained on the previous one (the seed for the first chunk).</summary>
    public static string SignChunk(AuthContext context, string previousSignature, ReadOnlySpan<byte> chunkData)
    {
        ArgumentNullException.ThrowIfNull(context);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(chunkData, hash);
        Span<byte> signature = stackalloc byte[32];
        SigV4.SignChunk(context.SigningKey, context.AmzDate, context.Scope, previousSignature, hash, signature);
        return Convert.ToHexStringLower(signature);
    }

    /// <summary>The x-amz-trailer-signature value for trailers that follow the chunk signed <paramref name="lastChunkSignature"/>.</summary>
    public static string SignTrailer(AuthContext context, string lastChunkSignature, IEnumerable<KeyValuePair<string, string>> trailers)
    {
        ArgumentNullException.ThrowIfNull(context);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(SigV4.CanonicalTrailers(trailers)), hash);
        Span<byte> signature = stackalloc byte[32];
        SigV4.SignTrailer(context.SigningKey, context.AmzDate, context.Scope, lastChunkSignature, hash, signature);
        return Convert.ToHexStringLower(signature);
    }

    /// <summary>The signing key for a secret, a date (yyyyMMdd) and a region; four chained HMACs.</summary>
    public static byte[] DeriveSigningKey(string secretAccessKey, string date, string region) => SigV4.DeriveSigningKey(secretAccessKey, date, region);

    /// <summary>Encodes an object key (or any path) for the request target, as S3 clients do: UTF-8, '/' kept, all but A-Z a-z 0-9 - _ . ~ escaped.</summary>
    public static string EncodePath(string path) => SigV4.Encode(path, keepSlash: true);

    /// <summary>Encodes a query name or value: UTF-8, all but A-Z a-z 0-9 - _ . ~ escaped (a space becomes %20).</summary>
    public static string EncodeQueryComponent(string value) => SigV4.Encode(value, keepSlash: false);

    private static List<string> SignedNames(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var names = headers.Select(h => h.Key.ToLowerInvariant()).Where(n => !NeverSigned.Contains(n)).Distinct().Order(StringComparer.Ordinal).ToList();
        return names.Contains("host") ? names : throw new ArgumentException("the request needs a Host header to be signed", nameof(headers));
    }

    private static bool IsOneOf(string name, params string[] names) => names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
}

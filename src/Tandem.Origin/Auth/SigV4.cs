using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tandem.Origin.Auth;

/// <summary>
/// The canonical forms and key derivation of AWS Signature Version 4 for S3, shared by the
/// verifier, the signer and the aws-chunked body decoder.
/// </summary>
internal static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string SigV4aAlgorithm = "AWS4-ECDSA-P256-SHA256";
    public const string Service = "s3";
    public const string Terminator = "aws4_request";
    public const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";
    public const string ChunkAlgorithm = "AWS4-HMAC-SHA256-PAYLOAD";
    public const string TrailerAlgorithm = "AWS4-HMAC-SHA256-TRAILER";

    /// <summary>How far a request's time may be from the server's (S3 allows 15 minutes).</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(15);

    // Derivation is four HMACs and a request needs it every time; keys change once a day per
    // region, so a small cache holds every key in use. Cleared wholesale when it grows, which
    // only happens if clients sign for many dates or regions.
    private const int MaxCachedKeys = 1024;
    private static readonly ConcurrentDictionary<(string Secret, string Date, string Region), byte[]> SigningKeys = new();

    /// <summary>The signing key for a secret, scope date (yyyyMMdd) and region. Shared: do not modify.</summary>
    public static byte[] SigningKey(string secret, string date, string region)
    {
        if (SigningKeys.TryGetValue((secret, date, region), out var cached))
        {
            return cached;
        }

        var key = DeriveSigningKey(secret, date, region);
        if (SigningKeys.Count >= MaxCachedKeys)
        {
            SigningKeys.Clear();
        }

        SigningKeys[(secret, date, region)] = key;
        return key;
    }

    public static byte[] DeriveSigningKey(string secret, string date, string region)
    {
        var kDate = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        var kRegion = HMACSHA256.HashData(kDate, Encoding.UTF8.GetBytes(region));
        var kService = HMACSHA256.HashData(kRegion, Encoding.UTF8.GetBytes(Service));
        return HMACSHA256.HashData(kService, Encoding.UTF8.GetBytes(Terminator));
    }

    public static string Scope(string date, string region) => $"{date}/{region}/{Service}/{Terminator}";

    public static string FormatAmzDate(DateTimeOffset time) => time.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);

    public static bool TryParseAmzDate(string? value, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(value, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static byte[] Sign(byte[] signingKey, string stringToSign) => HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign));

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Sha256Hex(canonicalRequest)}";

    public static string CanonicalRequest(string method, string canonicalUri, string canonicalQuery, string canonicalHeaders, string signedHeaders, string payloadHash) =>
        $"{method}\n{canonicalUri}\n{canonicalQuery}\n{canonicalHeaders}\n{signedHeaders}\n{payloadHash}";

    /// <summary>
    /// The chunk string to sign is <c>AWS4-HMAC-SHA256-PAYLOAD\n date\n scope\n previous\n sha256("")\n sha256(chunk)</c>.
    /// Writes the signature of a chunk whose data has SHA-256 <paramref name="dataSha256"/>.
    /// </summary>
    public static void SignChunk(byte[] signingKey, string amzDate, string scope, ReadOnlySpan<char> previousSignature, ReadOnlySpan<byte> dataSha256, Span<byte> signature)
    {
        Span<char> hex = stackalloc char[64];
        Convert.TryToHexStringLower(dataSha256, hex, out _);
        SignChained(signingKey, ChunkAlgorithm, amzDate, scope, previousSignature, PayloadHashes.Empty + "\n", hex, signature);
    }

    /// <summary>
    /// The trailer string to sign is <c>AWS4-HMAC-SHA256-TRAILER\n date\n scope\n previous\n sha256(canonical trailers)</c>.
    /// </summary>
    public static void SignTrailer(byte[] signingKey, string amzDate, string scope, ReadOnlySpan<char> previousSignature, ReadOnlySpan<byte> trailerSha256, Span<byte> signature)
    {
        Span<char> hex = stackalloc char[64];
        Convert.TryToHexStringLower(trailerSha256, hex, out _);
        SignChained(signingKey, TrailerAlgorithm, amzDate, scope, previousSignature, "", hex, signature);
    }

    private static void SignChained(byte[] signingKey, string algorithm, string amzDate, string scope, ReadOnlySpan<char> previous, string middle, ReadOnlySpan<char> lastHex, Span<byte> signature)
    {
        var text = string.Concat(algorithm, "\n", amzDate, "\n", scope, "\n") + string.Concat(previous, "\n", middle, lastHex);
        var length = Encoding.ASCII.GetMaxByteCount(text.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.ASCII.GetBytes(text, rented);
            HMACSHA256.HashData(signingKey, rented.AsSpan(0, written), signature);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Canonical trailer block as the SDKs sign it: each trailer as <c>name:value\n</c>, names
    /// lower-case, values trimmed, in name order; x-amz-trailer-signature itself is left out.
    /// </summary>
    public static string CanonicalTrailers(IEnumerable<KeyValuePair<string, string>> trailers)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in trailers
                     .Select(t => (Name: t.Key.Trim().ToLowerInvariant(), t.Value))
                     .Where(t => t.Name != "x-amz-trailer-signature")
                     .OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            sb.Append(name).Append(':');
            AppendHeaderValue(sb, value);
            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>
    /// S3's canonical URI: the path as sent, each segment percent-decoded byte-wise and encoded
    /// again with only the unreserved characters left as they are. S3 does not double-encode,
    /// and an encoded slash (%2F) stays encoded because it is part of a segment.
    /// </summary>
    public static string CanonicalUri(string rawPath)
    {
        if (rawPath.Length == 0)
        {
            return "/";
        }

        var sb = new StringBuilder(rawPath.Length + 16);
        var start = 0;
        while (true)
        {
            var slash = rawPath.IndexOf('/', start);
            var end = slash < 0 ? rawPath.Length : slash;
            AppendReencoded(sb, rawPath.AsSpan(start, end - start), plusIsSpace: false);
            if (slash < 0)
            {
                break;
            }

            sb.Append('/');
            start = slash + 1;
        }

        return sb.ToString();
    }

    /// <summary>Splits a raw query string into its raw (still encoded) name and value pairs.</summary>
    public static List<(string Name, string Value)> SplitQuery(string rawQuery)
    {
        var pairs = new List<(string, string)>();
        foreach (var part in rawQuery.Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var eq = part.IndexOf('=');
            pairs.Add(eq < 0 ? (part, "") : (part[..eq], part[(eq + 1)..]));
        }

        return pairs;
    }

    /// <summary>
    /// The canonical query: every name and value decoded and encoded again, sorted by name and
    /// then value, a bare key written <c>k=</c>. <paramref name="plusIsSpace"/> chooses how a raw
    /// '+' is read: as a space (form encoding, how S3 reads it) or as a literal plus.
    /// </summary>
    public static string CanonicalQuery(List<(string Name, string Value)> rawPairs, bool plusIsSpace, string? exclude = null)
    {
        if (rawPairs.Count == 0)
        {
            return "";
        }

        var encoded = new List<(string Name, string Value)>(rawPairs.Count);
        var sb = new StringBuilder();
        foreach (var (name, value) in rawPairs)
        {
            if (exclude is not null && string.Equals(DecodeComponent(name), exclude, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            sb.Clear();
            AppendReencoded(sb, name, plusIsSpace);
            var n = sb.ToString();
            sb.Clear();
            AppendReencoded(sb, value, plusIsSpace);
            encoded.Add((n, sb.ToString()));
        }

        encoded.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });

        sb.Clear();
        foreach (var (name, value) in encoded)
        {
            if (sb.Length > 0)
            {
                sb.Append('&');
            }

            sb.Append(name).Append('=').Append(value);
        }

        return sb.ToString();
    }

    /// <summary>Canonical header lines (each ending in '\n') for the signed header names.</summary>
    public static string CanonicalHeaders(IReadOnlyList<KeyValuePair<string, string>> headers, IReadOnlyList<string> signedNames)
    {
        var sb = new StringBuilder();
        foreach (var name in signedNames)
        {
            sb.Append(name).Append(':');
            var first = true;
            foreach (var (key, value) in headers)
            {
                if (!string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!first)
                {
                    sb.Append(',');
                }

                AppendHeaderValue(sb, value);
                first = false;
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Value trimmed, and each run of spaces or tabs inside it made one space.</summary>
    private static void AppendHeaderValue(StringBuilder sb, string value)
    {
        var span = value.AsSpan().Trim(" \t");
        var inSpace = false;
        foreach (var c in span)
        {
            if (c is ' ' or '\t')
            {
                inSpace = true;
                continue;
            }

            if (inSpace)
            {
                sb.Append(' ');
                inSpace = false;
            }

            sb.Append(c);
        }
    }

    /// <summary>Percent-decodes a query component (a raw '+' stays a plus), as text.</summary>
    public static string DecodeComponent(string raw)
    {
        if (raw.IndexOf('%') < 0)
        {
            return raw;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(raw.Length));
        try
        {
            var length = Decode(raw, plusIsSpace: false, bytes);
            return Encoding.UTF8.GetString(bytes, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>URI-encodes text the way SigV4 does: UTF-8, with only A-Z a-z 0-9 - _ . ~ (and '/' if kept) left as they are.</summary>
    public static string Encode(string text, bool keepSlash)
    {
        var sb = new StringBuilder(text.Length + 8);
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, bytes);
            foreach (var b in bytes.AsSpan(0, length))
            {
                if (keepSlash && b == '/')
                {
                    sb.Append('/');
                }
                else
                {
                    AppendEncodedByte(sb, b);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }

        return sb.ToString();
    }

    private static void AppendReencoded(StringBuilder sb, ReadOnlySpan<char> raw, bool plusIsSpace)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(raw.Length));
        try
        {
            var length = Decode(raw, plusIsSpace, bytes);
            foreach (var b in bytes.AsSpan(0, length))
            {
                AppendEncodedByte(sb, b);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    // A '%' that does not start a valid escape is kept as a literal percent sign.
    private static int Decode(ReadOnlySpan<char> raw, bool plusIsSpace, Span<byte> bytes)
    {
        var n = 0;
        var i = 0;
        while (i < raw.Length)
        {
            var c = raw[i];
            if (c == '%' && i + 2 < raw.Length && IsHex(raw[i + 1]) && IsHex(raw[i + 2]))
            {
                bytes[n++] = (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2]));
                i += 3;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes[n++] = (byte)' ';
                i++;
            }
            else if (c < 0x80)
            {
                bytes[n++] = (byte)c;
                i++;
            }
            else
            {
                var run = i + 1;
                while (run < raw.Length && raw[run] >= 0x80)
                {
                    run++;
                }

                n += Encoding.UTF8.GetBytes(raw[i..run], bytes[n..]);
                i = run;
            }
        }

        return n;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static void AppendEncodedByte(StringBuilder sb, byte b)
    {
        if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
        {
            sb.Append((char)b);
            return;
        }

        sb.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
    }

    private const string HexUpper = "0123456789ABCDEF";
}

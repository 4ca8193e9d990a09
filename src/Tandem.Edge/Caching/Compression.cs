using System.IO.Compression;

namespace Tandem.Edge.Caching;

/// <summary>A content coding the edge can send.</summary>
public enum ContentCoding
{
    Identity,
    Gzip,
    Brotli,
}

/// <summary>
/// When the edge compresses a cached response and how, after CloudFront's rules (its developer
/// guide, "Serving compressed files"): text-like types only, 1,000 to 10,000,000 bytes, statuses
/// 200, 403 and 404, never a response the origin already encoded, Brotli before gzip.
/// </summary>
public static class Compression
{
    /// <summary>Smallest body compressed (CloudFront: 1,000 bytes).</summary>
    public const long MinBytes = 1000;

    /// <summary>Largest body compressed (CloudFront: 10,000,000 bytes).</summary>
    public const long MaxBytes = 10_000_000;

    // CloudFront's list, plus every text/* type and the +json/+xml structured suffixes. Fonts in
    // WOFF/WOFF2, images and application/wasm are left out: already compressed, or not on the list.
    private static readonly HashSet<string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/dash+xml", "application/eot", "application/font", "application/font-sfnt",
        "application/javascript", "application/ecmascript", "application/json", "application/opentype",
        "application/otf", "application/pkcs7-mime", "application/protobuf", "application/rss+xml",
        "application/truetype", "application/ttf", "application/vnd.apple.mpegurl",
        "application/vnd.mapbox-vector-tile", "application/vnd.ms-fontobject", "application/xhtml+xml",
        "application/xml", "application/x-font-opentype", "application/x-font-truetype",
        "application/x-font-ttf", "application/x-httpd-cgi", "application/x-javascript",
        "application/x-mpegurl", "application/x-opentype", "application/x-otf", "application/x-perl",
        "application/x-ttf", "font/eot", "font/opentype", "font/otf", "font/ttf", "image/svg+xml",
        "vnd.apple.mpegurl",
    };

    /// <summary>True for media types worth compressing; parameters such as charset are ignored.</summary>
    public static bool IsCompressible(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon < 0 ? contentType.AsSpan() : contentType.AsSpan(0, semicolon)).Trim();
        if (mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
            && (mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return Types.GetAlternateLookup<ReadOnlySpan<char>>().Contains(mediaType);
    }

    /// <summary>
    /// True when a response with these properties may be compressed: status 200, 403 or 404, a
    /// compressible type, no Content-Encoding from the origin, a body within
    /// [<see cref="MinBytes"/>, <see cref="MaxBytes"/>], and no Cache-Control: no-transform.
    /// </summary>
    public static bool ShouldCompress(int status, string? contentType, string? contentEncoding, long length, bool noTransform = false) =>
        status is 200 or 403 or 404
        && !noTransform
        && (string.IsNullOrWhiteSpace(contentEncoding) || contentEncoding.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase))
        && length is >= MinBytes and <= MaxBytes
        && IsCompressible(contentType);

    /// <summary>
    /// The coding to send for an Accept-Encoding value (RFC 9110 12.5.3): the acceptable coding
    /// with the highest q-value, Brotli before gzip on a tie. q=0 refuses a coding, "*" stands
    /// for any coding not named, "x-gzip" is gzip. Identity is chosen when nothing compressed
    /// is acceptable, or identity is named with a higher q-value than both.
    /// </summary>
    public static ContentCoding Negotiate(string? acceptEncoding)
    {
        if (string.IsNullOrWhiteSpace(acceptEncoding))
        {
            return ContentCoding.Identity;
        }

        int? brotli = null, gzip = null, identity = null, any = null;
        foreach (var member in acceptEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var semicolon = member.IndexOf(';');
            var coding = (semicolon < 0 ? member.AsSpan() : member.AsSpan(0, semicolon)).Trim();
            if (!TryParseWeight(semicolon < 0 ? default : member.AsSpan(semicolon + 1), out var weight))
            {
                continue;
            }

            if (coding.Equals("br", StringComparison.OrdinalIgnoreCase))
            {
                brotli ??= weight;
            }
            else if (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
            {
                gzip ??= weight;
            }
            else if (coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                identity ??= weight;
            }
            else if (coding.SequenceEqual("*"))
            {
                any ??= weight;
            }
        }

        var brotliWeight = brotli ?? any ?? 0;
        var gzipWeight = gzip ?? any ?? 0;
        var best = Math.Max(brotliWeight, gzipWeight);
        if (best == 0 || (identity is { } identityWeight && identityWeight > best))
        {
            return ContentCoding.Identity;
        }

        return brotliWeight >= gzipWeight ? ContentCoding.Brotli : ContentCoding.Gzip;
    }

    /// <summary>The Content-Encoding token for <paramref name="coding"/>, or null for identity.</summary>
    public static string? Token(ContentCoding coding) => coding switch
    {
        ContentCoding.Brotli => "br",
        ContentCoding.Gzip => "gzip",
        _ => null,
    };

    /// <summary>
    /// The ETag to send with a compressed variant, as CloudFront does: a strong tag becomes weak,
    /// a weak one stays, an invalid one (not starting with a quote or W/) is dropped.
    /// </summary>
    public static string? VariantETag(string? etag)
    {
        if (string.IsNullOrEmpty(etag))
        {
            return null;
        }

        if (etag.StartsWith("W/\"", StringComparison.Ordinal))
        {
            return etag;
        }

        return etag[0] == '"' ? "W/" + etag : null;
    }

    /// <summary>
    /// Compresses <paramref name="body"/> with <paramref name="coding"/> at
    /// <see cref="CompressionLevel.Optimal"/> (the result is cached, so ratio matters more than
    /// speed). Null when the result is not smaller than the input, or for identity.
    /// </summary>
    public static byte[]? Compress(ReadOnlySpan<byte> body, ContentCoding coding)
    {
        if (coding == ContentCoding.Identity)
        {
            return null;
        }

        var output = new MemoryStream(Math.Max(64, body.Length / 2));
        using (Stream encoder = coding == ContentCoding.Brotli
            ? new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true)
            : new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            encoder.Write(body);
        }

        return output.Length < body.Length ? output.ToArray() : null;
    }

    // ";q=0.5" and other parameters after the coding; no q means 1. Weights are in thousandths.
    private static bool TryParseWeight(ReadOnlySpan<char> parameters, out int weight)
    {
        weight = 1000;
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range];
            var equals = parameter.IndexOf('=');
            if (equals >= 0 && parameter[..equals].Trim().Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                return TryParseQValue(parameter[(equals + 1)..].Trim(), out weight);
            }
        }

        return true;
    }

    // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110 12.4.2).
    private static bool TryParseQValue(ReadOnlySpan<char> text, out int weight)
    {
        weight = 0;
        if (text.IsEmpty || text[0] is not ('0' or '1'))
        {
            return false;
        }

        var whole = text[0] - '0';
        var fraction = 0;
        var digits = 0;
        if (text.Length > 1)
        {
            if (text[1] != '.' || text.Length > 5)
            {
                return false;
            }

            foreach (var c in text[2..])
            {
                if (c is < '0' or > '9')
                {
                    return false;
                }

                fraction = (fraction * 10) + (c - '0');
                digits++;
            }
        }

        for (; digits < 3; digits++)
        {
            fraction *= 10;
        }

        weight = (whole * 1000) + fraction;
        return weight <= 1000;
    }
}

using System.Text;
using Tandem.Core.Http;

namespace Tandem.Origin.S3;

/// <summary>
/// What a request addresses: a bucket (maybe none), a key (maybe empty) and its query, decoded
/// from the raw request target exactly once. Routing and signing both start from the raw target,
/// because the framework's decoded path has already lost the difference between "/" and "%2F".
/// </summary>
public sealed record S3Target(string? Bucket, string Key, string RawPath, string RawQuery, IReadOnlyList<KeyValuePair<string, string>> Query)
{
    /// <summary>True when the query has the parameter (with or without a value).</summary>
    public bool Has(string name)
    {
        foreach (var kv in Query)
        {
            if (kv.Key == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first value of a query parameter, or null.</summary>
    public string? Get(string name)
    {
        foreach (var kv in Query)
        {
            if (kv.Key == name)
            {
                return kv.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// Parses a raw request target (origin-form or absolute-form) and Host header. Path-style is
    /// "/bucket/key"; virtual-hosted style is "Host: bucket.BASEDOMAIN" with the key as the whole
    /// path. Throws InvalidURI for malformed percent-encoding.
    /// </summary>
    public static S3Target Parse(string rawTarget, string? host, string? baseDomain)
    {
        if (!UrlPath.TryGetPath(rawTarget, out var rawPathSpan))
        {
            throw new S3Exception("InvalidURI", 400, "Couldn't parse the specified URI.", rawTarget);
        }

        var q = rawTarget.IndexOf('?');
        var rawPath = rawPathSpan.ToString();
        var rawQuery = q < 0 ? "" : rawTarget[(q + 1)..];
        var path = PercentDecode(rawPath, plusIsSpace: false) ?? throw new S3Exception("InvalidURI", 400, "Couldn't parse the specified URI.", rawTarget);
        var query = ParseQuery(rawQuery) ?? throw new S3Exception("InvalidURI", 400, "Couldn't parse the query string.", rawTarget);

        var hostBucket = BucketFromHost(host, baseDomain);
        if (hostBucket is not null)
        {
            return new S3Target(hostBucket, path.Length > 0 ? path[1..] : "", rawPath, rawQuery, query);
        }

        var rest = path.AsSpan(1);
        var cut = rest.IndexOf('/');
        if (rest.Length == 0)
        {
            return new S3Target(null, "", rawPath, rawQuery, query);
        }

        return cut < 0
            ? new S3Target(rest.ToString(), "", rawPath, rawQuery, query)
            : new S3Target(rest[..cut].ToString(), rest[(cut + 1)..].ToString(), rawPath, rawQuery, query);
    }

    /// <summary>The bucket named by "bucket.BASEDOMAIN[:port]", or null.</summary>
    public static string? BucketFromHost(string? host, string? baseDomain)
    {
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(baseDomain))
        {
            return null;
        }

        var h = host.AsSpan();
        if (h.StartsWith("["))
        {
            return null; // IPv6 literal
        }

        var colon = h.LastIndexOf(':');
        if (colon >= 0)
        {
            h = h[..colon];
        }

        if (h.Length > baseDomain.Length + 1 && h.EndsWith(baseDomain, StringComparison.OrdinalIgnoreCase) && h[h.Length - baseDomain.Length - 1] == '.')
        {
            return h[..(h.Length - baseDomain.Length - 1)].ToString().ToLowerInvariant();
        }

        return null;
    }

    /// <summary>Splits and decodes a query string; "+" is a space, as form encoding (Go clients) sends it.</summary>
    public static List<KeyValuePair<string, string>>? ParseQuery(string rawQuery)
    {
        var list = new List<KeyValuePair<string, string>>();
        if (rawQuery.Length == 0)
        {
            return list;
        }

        foreach (var part in rawQuery.Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var eq = part.IndexOf('=');
            var name = PercentDecode(eq < 0 ? part : part[..eq], plusIsSpace: true);
            var value = eq < 0 ? "" : PercentDecode(part[(eq + 1)..], plusIsSpace: true);
            if (name is null || value is null)
            {
                return null;
            }

            list.Add(new(name, value));
        }

        return list;
    }

    /// <summary>Decodes %XX sequences as UTF-8; null when the encoding or the UTF-8 is invalid or holds a NUL.</summary>
    public static string? PercentDecode(string s, bool plusIsSpace) =>
        UrlPath.TryDecode(plusIsSpace ? s.Replace("+", "%20", StringComparison.Ordinal) : s, out var decoded) ? decoded : null;

    /// <summary>Percent-encodes as S3 does in listings with encoding-type=url and in Location values.</summary>
    public static string UrlEncode(string s, bool keepSlash = false)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(((int)b).ToString("X2"));
            }
        }

        return sb.ToString();
    }
}

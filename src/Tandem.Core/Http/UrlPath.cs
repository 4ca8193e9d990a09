using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Tandem.Core.Http;

/// <summary>
/// Request paths as S3 reads them: taken from the raw request target (so "..", "%2F" and "\"
/// stay part of a key instead of being normalised away), percent-decoded as UTF-8.
/// </summary>
public static class UrlPath
{
    private const int StackLimit = 512;
    private const string HexDigits = "0123456789ABCDEF";

    /// <summary>
    /// The path of a raw request target: origin-form "/a/b?q" gives "/a/b"; absolute-form
    /// "http://host/a?q" gives "/a" (and "http://host" gives "/"). False for any other form
    /// (asterisk "*", authority "host:port").
    /// </summary>
    public static bool TryGetPath(ReadOnlySpan<char> rawTarget, out ReadOnlySpan<char> path)
    {
        path = default;
        if (rawTarget.IsEmpty)
        {
            return false;
        }

        if (rawTarget[0] != '/')
        {
            var scheme = rawTarget.IndexOf("://");
            if (scheme <= 0 || !IsScheme(rawTarget[..scheme]))
            {
                return false;
            }

            var afterAuthority = rawTarget[(scheme + 3)..];
            var slash = afterAuthority.IndexOfAny('/', '?');
            rawTarget = slash < 0 || afterAuthority[slash] == '?' ? "/" : afterAuthority[slash..];
        }

        var query = rawTarget.IndexOf('?');
        path = query < 0 ? rawTarget : rawTarget[..query];
        return true;
    }

    /// <summary>
    /// Percent-decodes <paramref name="path"/> as UTF-8 into <paramref name="decoded"/>. False when
    /// a '%' is not followed by two hex digits, the bytes are not valid UTF-8, or the result holds
    /// a NUL (no key may contain one). '+' stays '+': it means space only in form bodies.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> path, out string decoded)
    {
        decoded = "";
        if (path.IndexOfAnyExceptInRange((char)1, (char)0x7F) < 0 && !path.Contains('%'))
        {
            // Plain ASCII without escapes, the common case: one allocation.
            decoded = new string(path);
            return true;
        }

        var maxBytes = Encoding.UTF8.GetMaxByteCount(path.Length);
        byte[]? rented = null;
        var buffer = maxBytes <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        try
        {
            // Literal characters become their UTF-8 bytes first; escapes then decode in place,
            // so "é" and "%C3%A9" give the same key.
            var written = Encoding.UTF8.GetBytes(path, buffer);
            var bytes = buffer[..written];
            var length = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                if (b == (byte)'%')
                {
                    if (i + 2 >= bytes.Length || !TryHex(bytes[i + 1], out var high) || !TryHex(bytes[i + 2], out var low))
                    {
                        return false;
                    }

                    b = (byte)((high << 4) | low);
                    i += 2;
                }

                if (b == 0)
                {
                    return false;
                }

                bytes[length++] = b;
            }

            var result = bytes[..length];
            if (!Utf8.IsValid(result))
            {
                return false;
            }

            decoded = Encoding.UTF8.GetString(result);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Percent-encodes a decoded path for a Location header: unreserved characters, '/' and the
    /// sub-delimiters S3 keys commonly hold stay; everything else (space, '%', '\', '?', '#',
    /// non-ASCII as UTF-8) is escaped. A leading "//" keeps its second slash escaped, so the
    /// result can never be read as a network-path reference to another host.
    /// </summary>
    public static string Encode(string path)
    {
        var plain = true;
        foreach (var c in path)
        {
            if (!IsPathSafe(c))
            {
                plain = false;
                break;
            }
        }

        if (plain && !path.StartsWith("//", StringComparison.Ordinal))
        {
            return path;
        }

        var builder = new StringBuilder(path.Length + 16);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (i == 1 && c == '/' && path[0] == '/')
            {
                builder.Append("%2F");
            }
            else if (IsPathSafe(c))
            {
                builder.Append(c);
            }
            else
            {
                var count = char.IsHighSurrogate(c) && i + 1 < path.Length
                    ? Encoding.UTF8.GetBytes(path.AsSpan(i++, 2), utf8)
                    : Encoding.UTF8.GetBytes(path.AsSpan(i, 1), utf8);
                foreach (var b in utf8[..count])
                {
                    builder.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
                }
            }
        }

        return builder.ToString();
    }

    private static bool IsPathSafe(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '/' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '@';

    private static bool IsScheme(ReadOnlySpan<char> scheme) =>
        scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || scheme.Equals("https", StringComparison.OrdinalIgnoreCase);

    private static bool TryHex(byte b, out int value)
    {
        value = b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}

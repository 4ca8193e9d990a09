using System.Buffers;
using System.Text;

namespace Tandem.Edge.Serving.FastPath;

/// <summary>What <see cref="RequestHead.Parse"/> found at the start of a connection's buffer.</summary>
internal enum HeadKind
{
    /// <summary>So far a plain GET or HEAD, but the head has not all arrived.</summary>
    Incomplete,

    /// <summary>A whole plain GET or HEAD head that the hit path may answer.</summary>
    Simple,

    /// <summary>Anything else: Kestrel's HTTP layer answers it (and every later request on the connection).</summary>
    Other,
}

/// <summary>A plain GET or HEAD: the request target and the few header fields a cache hit depends on.</summary>
internal readonly record struct SimpleRequest(bool IsHead, string Target, int Length, string? AcceptEncoding, string? Accept, string? Cookie, string? SecFetchDest)
{
    /// <summary>If-None-Match, when sent.</summary>
    public string? IfNoneMatch { get; init; }

    /// <summary>If-Modified-Since, when sent.</summary>
    public string? IfModifiedSince { get; init; }
}

/// <summary>
/// Recognises the HTTP/1.1 requests the edge's hit path may answer without Kestrel's HTTP layer:
/// GET or HEAD of an origin-form target made only of plain characters (no '%', no dot segment),
/// exactly one valid Host, no body, no conditions but If-None-Match and If-Modified-Since, no
/// range, no credentials, no upgrade, and
/// nothing Kestrel would refuse. Anything else, or anything unusual, is <see cref="HeadKind.Other"/>:
/// the request goes to Kestrel untouched, which applies its own limits and error answers. Being
/// strict only ever costs speed, never correctness. Pure code over the bytes.
/// </summary>
internal static class RequestHead
{
    /// <summary>A head longer than this goes to Kestrel (whose own limit is 32 KB).</summary>
    public const int MaxLength = 8192;

    /// <summary>Kestrel's default MaxRequestHeaderCount.</summary>
    public const int MaxFields = 100;

    private static readonly SearchValues<byte> TargetBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?"u8);
    private static readonly SearchValues<byte> TokenBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~"u8);
    private static readonly SearchValues<byte> HostBytes = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._:[]"u8);

    // Fields that change the answer or the framing in ways only the full path handles.
    private static readonly byte[][] Refused =
    [
        "authorization"u8.ToArray(), "content-length"u8.ToArray(), "transfer-encoding"u8.ToArray(), "expect"u8.ToArray(),
        "upgrade"u8.ToArray(), "http2-settings"u8.ToArray(), "range"u8.ToArray(), "if-range"u8.ToArray(), "if-match"u8.ToArray(),
        "if-unmodified-since"u8.ToArray(),
    ];

    /// <summary>Looks at the start of <paramref name="buffer"/>; on <see cref="HeadKind.Simple"/>, <paramref name="request"/> says what was asked and how many bytes the head took.</summary>
    public static HeadKind Parse(in ReadOnlySequence<byte> buffer, out SimpleRequest request)
    {
        if (buffer.IsSingleSegment)
        {
            return Parse(buffer.FirstSpan, out request);
        }

        // A head split across segments: rare, copied once (only as much as a head may take).
        var length = (int)Math.Min(buffer.Length, MaxLength);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.Slice(0, length).CopyTo(rented);
            return Parse(rented.AsSpan(0, length), out request);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static HeadKind Parse(ReadOnlySpan<byte> data, out SimpleRequest request)
    {
        request = default;
        bool isHead;
        if (data.StartsWith("GET /"u8))
        {
            isHead = false;
        }
        else if (data.StartsWith("HEAD /"u8))
        {
            isHead = true;
        }
        else
        {
            return "GET /"u8.StartsWith(data) || "HEAD /"u8.StartsWith(data) ? HeadKind.Incomplete : HeadKind.Other;
        }

        var end = data[..Math.Min(data.Length, MaxLength)].IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return data.Length >= MaxLength ? HeadKind.Other : HeadKind.Incomplete;
        }

        var head = data[..(end + 2)]; // every line, each ending in CRLF
        var lineEnd = head.IndexOf("\r\n"u8);
        var line = head[..lineEnd];
        var targetStart = isHead ? 5 : 4;
        if (!line.EndsWith(" HTTP/1.1"u8))
        {
            return HeadKind.Other;
        }

        var target = line[targetStart..^9];
        if (target.IsEmpty || target.IndexOfAnyExcept(TargetBytes) >= 0 || target.IndexOf("/."u8) >= 0)
        {
            return HeadKind.Other;
        }

        string? acceptEncoding = null, accept = null, cookie = null, secFetchDest = null, ifNoneMatch = null, ifModifiedSince = null;
        var hosts = 0;
        var fields = 0;
        var rest = head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            line = rest[..lineEnd];
            rest = rest[(lineEnd + 2)..];
            if (++fields > MaxFields || line.IndexOfAny((byte)'\r', (byte)'\n') >= 0)
            {
                return HeadKind.Other;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].IndexOfAnyExcept(TokenBytes) >= 0)
            {
                return HeadKind.Other; // also a folded line, which starts with a space
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (!IsFieldValue(value))
            {
                return HeadKind.Other;
            }

            if (Is(name, "host"u8))
            {
                if (++hosts > 1 || value.IsEmpty || value.IndexOfAnyExcept(HostBytes) >= 0)
                {
                    return HeadKind.Other;
                }
            }
            else if (Is(name, "connection"u8))
            {
                if (!Ascii.EqualsIgnoreCase(value, "keep-alive"u8))
                {
                    return HeadKind.Other;
                }
            }
            else if (!Capture(name, value, "accept-encoding"u8, ref acceptEncoding)
                || !Capture(name, value, "accept"u8, ref accept)
                || !Capture(name, value, "cookie"u8, ref cookie)
                || !Capture(name, value, "sec-fetch-dest"u8, ref secFetchDest)
                || !Capture(name, value, "if-none-match"u8, ref ifNoneMatch)
                || !Capture(name, value, "if-modified-since"u8, ref ifModifiedSince)
                || IsRefused(name))
            {
                return HeadKind.Other; // the same field twice, or one only the full path handles
            }
        }

        if (hosts != 1)
        {
            return HeadKind.Other;
        }

        request = new SimpleRequest(isHead, Encoding.ASCII.GetString(target), end + 4, acceptEncoding, accept, cookie, secFetchDest)
        {
            IfNoneMatch = ifNoneMatch,
            IfModifiedSince = ifModifiedSince,
        };
        return HeadKind.Simple;
    }

    // Visible ASCII, spaces and tabs: what Kestrel accepts in a field value without a special encoding.
    private static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if (b is not ((>= 0x20 and <= 0x7E) or (byte)'\t'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsRefused(ReadOnlySpan<byte> name)
    {
        foreach (var refused in Refused)
        {
            if (Is(name, refused))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> expected) =>
        name.Length == expected.Length && Ascii.EqualsIgnoreCase(name, expected);

    /// <summary>Keeps the value of field <paramref name="expected"/>; false when it came before.</summary>
    private static bool Capture(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ReadOnlySpan<byte> expected, ref string? slot)
    {
        if (!Is(name, expected))
        {
            return true;
        }

        if (slot is not null)
        {
            return false;
        }

        slot = Encoding.ASCII.GetString(value);
        return true;
    }
}

namespace Tandem.Core.Http;

/// <summary>Entity-tag comparison (RFC 9110 section 8.8.3) over header text, without allocating.</summary>
public static class EntityTag
{
    /// <summary>
    /// True when the list in <paramref name="header"/> (an If-Match or If-None-Match value: "*" or
    /// comma-separated tags) contains a tag that matches <paramref name="current"/>, given in header
    /// form ("\"abc\"" or "W/\"abc\""). Strong comparison needs both tags strong; weak compares only
    /// the opaque part. Parsing stops at the first malformed member.
    /// </summary>
    public static bool ListMatches(ReadOnlySpan<char> header, ReadOnlySpan<char> current, bool strong)
    {
        var currentOpaque = Opaque(current, out var currentWeak);
        var rest = header;
        while (true)
        {
            rest = rest.TrimStart(" \t,");
            if (rest.IsEmpty)
            {
                return false;
            }

            if (rest[0] == '*')
            {
                return true;
            }

            var weak = IsWeak(rest);
            if (!TrySplit(rest, out var opaque, out var consumed))
            {
                return false;
            }

            if (opaque.SequenceEqual(currentOpaque) && (!strong || (!weak && !currentWeak)))
            {
                return true;
            }

            rest = rest[consumed..];
        }
    }

    /// <summary>True when <paramref name="value"/> is one strong tag equal to <paramref name="current"/> (If-Range).</summary>
    public static bool StrongEquals(ReadOnlySpan<char> value, ReadOnlySpan<char> current)
    {
        value = value.Trim();
        var currentOpaque = Opaque(current, out var currentWeak);
        return !IsWeak(value) && !currentWeak && TrySplit(value, out var opaque, out var consumed) && consumed == value.Length
            && opaque.SequenceEqual(currentOpaque);
    }

    // The current tag in header form; a bare value (no quotes) is taken as a strong tag's opaque part.
    private static ReadOnlySpan<char> Opaque(ReadOnlySpan<char> current, out bool weak)
    {
        weak = IsWeak(current);
        if (TrySplit(current, out var opaque, out _))
        {
            return opaque;
        }

        weak = false;
        return current;
    }

    private static bool IsWeak(ReadOnlySpan<char> tag) => tag.Length >= 2 && tag[0] == 'W' && tag[1] == '/';

    // Finds the opaque part between the quotes of the tag at the start of tag.
    private static bool TrySplit(ReadOnlySpan<char> tag, out ReadOnlySpan<char> opaque, out int consumed)
    {
        var start = IsWeak(tag) ? 2 : 0;
        opaque = default;
        consumed = 0;
        if (tag.Length <= start || tag[start] != '"')
        {
            return false;
        }

        var close = tag[(start + 1)..].IndexOf('"');
        if (close < 0)
        {
            return false;
        }

        opaque = tag.Slice(start + 1, close);
        consumed = start + close + 2;
        return true;
    }
}

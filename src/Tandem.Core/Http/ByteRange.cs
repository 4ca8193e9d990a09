using System.Globalization;

namespace Tandem.Core.Http;

/// <summary>How a Range header applies to a representation.</summary>
public enum RangeKind
{
    /// <summary>No usable single range: send the whole representation with 200.</summary>
    Whole,

    /// <summary>206 with <see cref="ByteRange.Start"/> and <see cref="ByteRange.Length"/>.</summary>
    Partial,

    /// <summary>416 with Content-Range "bytes */TOTAL".</summary>
    NotSatisfiable,
}

/// <summary>
/// The outcome of a Range header (RFC 9110 section 14) against a representation of a known length.
/// Only one range is served: a header with several asks for multipart/byteranges, and answering
/// such a request with the whole representation (200) is allowed (RFC 9110 14.2) and what many
/// servers do. A malformed header or another unit is ignored, as the RFC asks.
/// </summary>
public readonly record struct ByteRange(RangeKind Kind, long Start, long Length)
{
    private const string BytesUnit = "bytes=";

    /// <summary>Last byte position (inclusive) of a partial range.</summary>
    public long End => Start + Length - 1;

    /// <summary>The whole of a representation of <paramref name="length"/> bytes.</summary>
    public static ByteRange Whole(long length) => new(RangeKind.Whole, 0, length);

    /// <summary>Applies <paramref name="header"/> (the Range value, or null) to <paramref name="length"/> bytes.</summary>
    public static ByteRange Evaluate(string? header, long length)
    {
        if (string.IsNullOrEmpty(header))
        {
            return Whole(length);
        }

        var value = header.AsSpan().Trim();
        if (!value.StartsWith(BytesUnit, StringComparison.OrdinalIgnoreCase))
        {
            return Whole(length);
        }

        var spec = value[BytesUnit.Length..].Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0 || spec.Contains(','))
        {
            return Whole(length);
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.IsEmpty)
        {
            // Suffix range "-N": the last N bytes. An empty representation has no bytes to name
            // in a Content-Range, so it is sent whole.
            if (!TryParseDigits(last, out var suffix))
            {
                return Whole(length);
            }

            if (suffix == 0)
            {
                return new ByteRange(RangeKind.NotSatisfiable, 0, 0);
            }

            return length == 0 ? Whole(length) : new ByteRange(RangeKind.Partial, Math.Max(0, length - suffix), Math.Min(suffix, length));
        }

        if (!TryParseDigits(first, out var start))
        {
            return Whole(length);
        }

        var end = long.MaxValue;
        if (!last.IsEmpty && (!TryParseDigits(last, out end) || end < start))
        {
            return Whole(length);
        }

        if (start >= length)
        {
            return new ByteRange(RangeKind.NotSatisfiable, 0, 0);
        }

        end = Math.Min(end, length - 1);
        return new ByteRange(RangeKind.Partial, start, end - start + 1);
    }

    /// <summary>The Content-Range value for this outcome: "bytes a-b/TOTAL" or "bytes */TOTAL".</summary>
    public string ContentRange(long total) => Kind == RangeKind.Partial
        ? string.Create(CultureInfo.InvariantCulture, $"bytes {Start}-{End}/{total}")
        : string.Create(CultureInfo.InvariantCulture, $"bytes */{total}");

    // Digits only (no sign, no spaces). Values past long.MaxValue saturate: as a first position
    // that is past any length, as a last position it is clamped to the end anyway.
    private static bool TryParseDigits(ReadOnlySpan<char> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = value > (long.MaxValue - 9) / 10 ? long.MaxValue : (value * 10) + (c - '0');
        }

        return true;
    }
}

namespace Tandem.Origin.Storage;

/// <summary>
/// Orders keys as their UTF-8 bytes compare, which is how S3 lists them and what
/// <c>aws s3 sync</c> merge-joins against. UTF-8 byte order is code point order; UTF-16 ordinal
/// order agrees except where a surrogate (a code point above U+FFFF) meets U+E000–U+FFFF, so
/// this compares ordinally and fixes up just that case instead of encoding both strings.
/// </summary>
internal sealed class Utf8KeyComparer : IComparer<string>
{
    public static Utf8KeyComparer Instance { get; } = new();

    private Utf8KeyComparer()
    {
    }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var common = x.AsSpan().CommonPrefixLength(y);
        if (common == x.Length || common == y.Length)
        {
            return x.Length - y.Length;
        }

        return CodePointOrder(x[common]) - CodePointOrder(y[common]);
    }

    // Moves surrogates (D800–DFFF) above E000–FFFF, so a code unit of a supplementary-plane
    // character sorts after every BMP character, as its 4-byte UTF-8 form does.
    private static int CodePointOrder(char c) => c < 0xD800 ? c : c >= 0xE000 ? c - 0x800 : c + 0x2000;
}

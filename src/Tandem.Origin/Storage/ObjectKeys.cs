namespace Tandem.Origin.Storage;

/// <summary>
/// Which object keys the store accepts. Keys never become paths, so only what no client can
/// mean is refused: empty keys, control characters, text that is not valid UTF-16 (it would not
/// survive UTF-8), "." and ".." segments (URL normalisation turns them into other keys), and
/// more than S3's 1024 UTF-8 bytes.
/// </summary>
internal static class ObjectKeys
{
    /// <summary>S3's limit on a key's UTF-8 length.</summary>
    public const int MaxUtf8Length = 1024;

    /// <summary>Throws <see cref="S3Exception"/> (InvalidArgument or KeyTooLongError) unless <paramref name="key"/> may be stored.</summary>
    public static void Validate(string? key)
    {
        if (Problem(key) is { } problem)
        {
            throw problem;
        }
    }

    /// <summary>The error a write of <paramref name="key"/> would get, or null when it is acceptable.</summary>
    public static S3Exception? Problem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return S3Exception.InvalidArgument("The object key must not be empty.");
        }

        var utf8Length = 0;
        var segmentStart = 0;
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c < 0x20)
            {
                return S3Exception.InvalidArgument($"The object key contains the control character U+{(int)c:X4} at position {i}; control characters are not allowed in keys.");
            }

            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                utf8Length += 4;
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return S3Exception.InvalidArgument($"The object key has an unpaired surrogate at position {i}; keys must be valid UTF-8.");
            }

            utf8Length += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            if (c == '/')
            {
                if (IsDotSegment(key.AsSpan(segmentStart, i - segmentStart)))
                {
                    return DotSegment(key);
                }

                segmentStart = i + 1;
            }
        }

        if (IsDotSegment(key.AsSpan(segmentStart)))
        {
            return DotSegment(key);
        }

        if (utf8Length <= MaxUtf8Length)
        {
            return null;
        }

        // The start of the key names it; cut between characters so the error's XML stays valid.
        var shown = key[..(char.IsHighSurrogate(key[63]) ? 63 : 64)] + "...";
        return new S3Exception("KeyTooLongError", 400, $"Your key is too long: {utf8Length} UTF-8 bytes, at most {MaxUtf8Length} are allowed.", shown);
    }

    private static bool IsDotSegment(ReadOnlySpan<char> segment) => segment is "." or "..";

    private static S3Exception DotSegment(string key) =>
        S3Exception.InvalidArgument($"The object key '{key}' has a '.' or '..' segment; clients and proxies normalise those away, so such a key could not be addressed.");
}

namespace Tandem.Edge.Serving;

/// <summary>
/// CloudFront's path patterns: '*' matches any run of characters (including '/'), '?' exactly
/// one, everything else itself, case-sensitively. A pattern without a leading '/' matches as if
/// it had one ("images/*" is "/images/*"), and "*" alone matches every path.
/// </summary>
public sealed class PathPattern
{
    private readonly string _pattern;

    public PathPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        Text = pattern;
        _pattern = pattern == "*" || pattern.StartsWith('/') || pattern.StartsWith('*') ? pattern : "/" + pattern;
    }

    /// <summary>The pattern as written in the config.</summary>
    public string Text { get; }

    /// <summary>True when <paramref name="path"/> (decoded, starting with '/') matches.</summary>
    public bool IsMatch(ReadOnlySpan<char> path)
    {
        // Iterative wildcard match with one backtrack point: linear in practice, no regex.
        var p = _pattern.AsSpan();
        int pi = 0, si = 0, star = -1, mark = 0;
        while (si < path.Length)
        {
            if (pi < p.Length && (p[pi] == '?' || p[pi] == path[si]))
            {
                pi++;
                si++;
            }
            else if (pi < p.Length && p[pi] == '*')
            {
                star = pi++;
                mark = si;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                si = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (pi < p.Length && p[pi] == '*')
        {
            pi++;
        }

        return pi == p.Length;
    }

    public override string ToString() => Text;
}

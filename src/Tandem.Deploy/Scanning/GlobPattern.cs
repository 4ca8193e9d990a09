namespace Tandem.Deploy.Scanning;

/// <summary>
/// The deploy's path patterns (see <c>DeployConfig.Exclude</c>): '*' any run of characters
/// including '/', '?' one character, matched against the URL path ("/css/site.css"); a pattern
/// starting with neither '/' nor '*' is taken from the root. The edge has the same rules for
/// its behaviors, but Tandem.Deploy does not depend on the edge. Matched by hand (the classic
/// wildcard walk with one backtrack point) rather than by Regex: every file of the site meets
/// every exclude pattern, and the walk costs no allocation and no regex interpreter per call.
/// </summary>
public sealed class GlobPattern
{
    private readonly string _pattern;

    public GlobPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        Text = pattern;
        _pattern = pattern.StartsWith('/') || pattern.StartsWith('*') ? pattern : "/" + pattern;
    }

    public string Text { get; }

    /// <summary>True when <paramref name="urlPath"/> (starting with '/') matches.</summary>
    public bool IsMatch(string urlPath)
    {
        var p = _pattern.AsSpan();
        var s = urlPath.AsSpan();
        int pi = 0, si = 0, star = -1, resume = 0;
        while (si < s.Length)
        {
            if (pi < p.Length && (p[pi] == '?' || p[pi] == s[si]) && p[pi] != '*')
            {
                pi++;
                si++;
            }
            else if (pi < p.Length && p[pi] == '*')
            {
                star = pi++;
                resume = si;
            }
            else if (star >= 0)
            {
                pi = star + 1;
                si = ++resume;
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
}

using System.Text.RegularExpressions;

namespace Tandem.Deploy.Scanning;

/// <summary>
/// The deploy's path patterns (see <c>DeployConfig.Exclude</c>): '*' any run of characters
/// including '/', '?' one character, matched against the URL path ("/css/site.css"); a pattern
/// starting with neither '/' nor '*' is taken from the root. The edge has the same rules for
/// its behaviors, but Tandem.Deploy does not depend on the edge, and a compiled regex is one line.
/// </summary>
public sealed class GlobPattern
{
    private readonly Regex _regex;

    public GlobPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        Text = pattern;
        var rooted = pattern.StartsWith('/') || pattern.StartsWith('*') ? pattern : "/" + pattern;
        var body = Regex.Escape(rooted).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal);
        _regex = new Regex("^" + body + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public string Text { get; }

    /// <summary>True when <paramref name="urlPath"/> (starting with '/') matches.</summary>
    public bool IsMatch(string urlPath) => _regex.IsMatch(urlPath);
}

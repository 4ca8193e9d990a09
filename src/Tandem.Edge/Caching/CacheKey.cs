namespace Tandem.Edge.Caching;

/// <summary>
/// Cache keys: "scope|path" or "scope|path?query". The scope (a host name, a distribution, or ""
/// when one edge serves one site) keeps sites apart; the part after the first '|' is what
/// invalidation patterns match, as CloudFront matches them against the path and query.
/// </summary>
public static class CacheKey
{
    /// <summary>Separates the scope from the path.</summary>
    public const char Separator = '|';

    /// <summary>A key with an empty scope.</summary>
    public static string Create(string path, string? query, bool includeQuery) => Create("", path, query, includeQuery);

    /// <summary>
    /// A key for <paramref name="path"/> in <paramref name="scope"/>. <paramref name="query"/> may
    /// start with '?' or not; it joins the key only when <paramref name="includeQuery"/> is set and
    /// it is not empty.
    /// </summary>
    public static string Create(string scope, string path, string? query, bool includeQuery)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(path);
        if (scope.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"A cache key scope cannot contain '{Separator}'.", nameof(scope));
        }

        var q = includeQuery && query is not null ? query.AsSpan().TrimStart('?') : default;
        return q.IsEmpty ? string.Concat(scope, "|", path) : $"{scope}|{path}?{q}";
    }

    /// <summary>The path and query of <paramref name="key"/>: all after the first '|' (the whole key if there is none).</summary>
    public static ReadOnlySpan<char> PathOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var separator = key.IndexOf(Separator, StringComparison.Ordinal);
        return separator < 0 ? key : key.AsSpan(separator + 1);
    }

    /// <summary>
    /// True when an invalidation <paramref name="pattern"/> covers <paramref name="key"/>, with
    /// CloudFront's semantics: case-sensitive; a trailing '*' matches any rest (so "/images/*"
    /// covers "/images/a.png?v=2" and "/*" covers everything); otherwise the path and query must
    /// be equal, so "/a" does not cover "/a?v=2". A pattern without a leading '/' gets one.
    /// </summary>
    public static bool Matches(string pattern, string key)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var path = PathOf(key);
        var p = pattern.AsSpan();
        var rooted = p.StartsWith("/") || p.StartsWith("*");
        if (p.EndsWith("*"))
        {
            var prefix = p[..^1];
            return rooted ? path.StartsWith(prefix, StringComparison.Ordinal) : path.StartsWith("/") && path[1..].StartsWith(prefix, StringComparison.Ordinal);
        }

        return rooted ? path.SequenceEqual(p) : path.StartsWith("/") && path[1..].SequenceEqual(p);
    }
}

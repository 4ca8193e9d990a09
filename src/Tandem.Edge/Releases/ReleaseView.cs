using System.Collections.Frozen;
using Tandem.Core.Releases;
using Tandem.Edge.Caching;

namespace Tandem.Edge.Releases;

/// <summary>
/// One release as the edge serves it: its manifest and, per visitor path, the cache key scope.
/// Made once when the manifest arrives and never changed, so a request reads it without locks.
/// </summary>
/// <remarks>
/// A key is <c>"@MD5|/path"</c> for a path the manifest lists and <c>"@r:ID|/path"</c> for any
/// other (a 404, a redirect): the content hash and the release go in the key's scope, so the
/// part after '|' stays the visitor's path and invalidation patterns match it as before. An
/// unchanged file keeps its key from one release to the next (the cache stays warm), a changed
/// file gets a new one, and a fetch started under one release can only store under that
/// release's keys.
/// </remarks>
public sealed class ReleaseView
{
    private readonly FrozenDictionary<string, string> _scopes;
    private readonly string _otherScope;

    private ReleaseView(ReleaseManifest manifest, FrozenDictionary<string, string> scopes)
    {
        Manifest = manifest;
        _scopes = scopes;
        _otherScope = "@r:" + manifest.Id;
    }

    public string Id => Manifest.Id;

    public ReleaseManifest Manifest { get; }

    /// <summary>
    /// Builds the view of <paramref name="manifest"/>. Besides "/PATH" for every file, a folder's
    /// index document is also listed as "/dir/" (and "/" for the root's), as a website endpoint
    /// serves it there, so one dictionary lookup finds either form.
    /// </summary>
    public static ReleaseView Create(ReleaseManifest manifest, string indexDocument = "index.html")
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var scopes = new Dictionary<string, string>(manifest.Files.Count + 8, StringComparer.Ordinal);
        var suffix = "/" + indexDocument;
        foreach (var f in manifest.Files)
        {
            var path = "/" + f.Path;
            var scope = "@" + f.Md5;
            scopes[path] = scope;
            if (path.EndsWith(suffix, StringComparison.Ordinal))
            {
                scopes[path[..^indexDocument.Length]] = scope;
            }
        }

        return new ReleaseView(manifest, scopes.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>True when the manifest lists <paramref name="path"/> (or it is a folder whose index document it lists).</summary>
    public bool Contains(string path) => _scopes.ContainsKey(path);

    /// <summary>The cache key of <paramref name="path"/> in this release: one dictionary lookup and one concatenation.</summary>
    public string Key(string path, string? query, bool includeQuery)
    {
        var scope = _scopes.TryGetValue(path, out var s) ? s : _otherScope;
        return includeQuery && !string.IsNullOrEmpty(query) ? CacheKey.Create(scope, path, query, includeQuery) : string.Concat(scope, "|", path);
    }

    public override string ToString() => Id;
}

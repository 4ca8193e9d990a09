using Tandem.Core.Releases;

namespace Tandem.Deploy.Planning;

/// <summary>Which URL paths the edges must drop when the live release changes.</summary>
public static class InvalidationPaths
{
    /// <summary>
    /// Paths added, removed or changed between two releases ("/css/site.css", and "/blog/" for a
    /// folder's index document); past <paramref name="threshold"/> they are folded to one wildcard
    /// per top folder ("/blog/*"), and to "/*" if that is still too many. With no previous release, "/*".
    /// </summary>
    public static IReadOnlyList<string> Compute(ReleaseManifest? previous, ReleaseManifest next, string indexDocument, int threshold)
    {
        if (previous is null)
        {
            return ["/*"];
        }

        var before = previous.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var after = next.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var changed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (path, file) in after)
        {
            if (!before.TryGetValue(path, out var old) || !Same(old, file))
            {
                Add(changed, path, indexDocument);
            }
        }

        foreach (var path in before.Keys.Where(p => !after.ContainsKey(p)))
        {
            Add(changed, path, indexDocument);
        }

        return Fold(changed.ToList(), threshold);
    }

    /// <summary>Folds paths to wildcards by top folder when there are more than <paramref name="threshold"/>.</summary>
    public static IReadOnlyList<string> Fold(IReadOnlyList<string> paths, int threshold)
    {
        if (paths.Count <= threshold)
        {
            return paths;
        }

        var folded = paths.Select(p =>
        {
            var slash = p.IndexOf('/', 1);
            return slash < 0 ? p : p[..(slash + 1)] + "*";
        }).Distinct().Order(StringComparer.Ordinal).ToList();
        return folded.Count <= threshold ? folded : ["/*"];
    }

    private static void Add(SortedSet<string> set, string path, string indexDocument)
    {
        set.Add("/" + path);
        if (path == indexDocument || path.EndsWith("/" + indexDocument, StringComparison.Ordinal))
        {
            set.Add("/" + path[..^indexDocument.Length]);
        }
    }

    private static bool Same(ReleaseFile a, ReleaseFile b) =>
        a.ETag == b.ETag && a.ContentType == b.ContentType && a.CacheControl == b.CacheControl
        && a.Metadata.Count == b.Metadata.Count && a.Metadata.All(kv => b.Metadata.TryGetValue(kv.Key, out var v) && v == kv.Value);
}

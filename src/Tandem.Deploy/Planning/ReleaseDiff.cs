using Tandem.Core.Releases;

namespace Tandem.Deploy.Planning;

/// <summary>How an origin's copy of a release differs from what it should hold.</summary>
public sealed record ReleaseDiff(IReadOnlyList<string> Missing, IReadOnlyList<string> Extra, IReadOnlyList<string> Different)
{
    public bool Clean => Missing.Count == 0 && Extra.Count == 0 && Different.Count == 0;

    /// <summary>Compares expected files with a listing (path to ETag).</summary>
    public static ReleaseDiff Compare(IReadOnlyList<ReleaseFile> expected, IReadOnlyDictionary<string, string> actual)
    {
        var missing = new List<string>();
        var different = new List<string>();
        foreach (var f in expected)
        {
            if (!actual.TryGetValue(f.Path, out var etag))
            {
                missing.Add(f.Path);
            }
            else if (!DeployPlanner.SameETag(etag, f.ETag))
            {
                different.Add(f.Path);
            }
        }

        var wanted = expected.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var extra = actual.Keys.Where(k => !wanted.Contains(k)).Order(StringComparer.Ordinal).ToList();
        return new ReleaseDiff(missing, extra, different);
    }
}

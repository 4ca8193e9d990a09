using Tandem.Core.Releases;
using Tandem.Deploy.Planning;

namespace Tandem.Deploy.Origins;

/// <summary>Reads Tandem's own records on an origin: the live pointer, manifests, release folders.</summary>
public static class ReleaseReader
{
    public static async Task<LivePointer?> ReadLiveAsync(OriginConnection origin, CancellationToken cancellationToken) =>
        await origin.GetBytesAsync(ReleaseLayout.LiveKey(origin.Prefix), cancellationToken) is { } bytes ? LivePointer.Parse(bytes) : null;

    public static async Task<ReleaseManifest?> ReadManifestAsync(OriginConnection origin, string id, CancellationToken cancellationToken) =>
        await origin.GetBytesAsync(ReleaseLayout.ManifestKey(origin.Prefix, id), cancellationToken) is { } bytes ? ReleaseManifest.Parse(bytes) : null;

    /// <summary>Release folders and manifests: a release with a manifest is whole, dated by the manifest's write.</summary>
    public static async Task<List<ReleaseOnOrigin>> ListReleasesAsync(OriginConnection origin, CancellationToken cancellationToken)
    {
        var manifestPrefix = ReleaseLayout.ManifestKeyPrefix(origin.Prefix);
        var manifests = origin.ListAsync(manifestPrefix, cancellationToken);
        var folders = origin.ListFoldersAsync(ReleaseLayout.Prefix(origin.Prefix) + ReleaseLayout.ReleasesFolder, cancellationToken);
        var result = new Dictionary<string, ReleaseOnOrigin>(StringComparer.Ordinal);
        foreach (var m in await manifests)
        {
            var id = m.Key[manifestPrefix.Length..].Replace(".json", "", StringComparison.Ordinal);
            if (ReleaseLayout.IsReleaseId(id))
            {
                result[id] = new ReleaseOnOrigin(id, m.LastModified, Whole: true);
            }
        }

        foreach (var id in await folders)
        {
            if (ReleaseLayout.IsReleaseId(id))
            {
                result.TryAdd(id, new ReleaseOnOrigin(id, DateTimeOffset.MinValue, Whole: false));
            }
        }

        return result.Values.ToList();
    }

    /// <summary>
    /// A release's objects on an origin: path (relative to the release) to ETag. With the paths it
    /// should hold, a large release is listed in ranges at once instead of page after page (a
    /// listing is paged by a continuation token, so one range is strictly sequential).
    /// </summary>
    public static async Task<Dictionary<string, string>> ListReleaseObjectsAsync(OriginConnection origin, string id, CancellationToken cancellationToken, IReadOnlyList<string>? expectedPaths = null)
    {
        var prefix = ReleaseLayout.ReleaseKeyPrefix(origin.Prefix, id);
        var bounds = RangeBounds(expectedPaths?.Select(p => prefix + p).ToList() ?? [], RangeSize);
        var ranges = await Task.WhenAll(Enumerable.Range(0, bounds.Count + 1).Select(i =>
            origin.ListRangeAsync(prefix, i == 0 ? null : bounds[i - 1], i == bounds.Count ? null : bounds[i], cancellationToken)));
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var o in ranges.SelectMany(r => r))
        {
            result[o.Key[prefix.Length..]] = o.ETag;
        }

        return result;
    }

    /// <summary>Keys per listed range: a few pages, so each range costs a few round trips. Tests lower it to list small sites in ranges too.</summary>
    internal static int RangeSize { get; set; } = 3000;

    /// <summary>The last key of each range but the final one, so consecutive ranges cover everything once.</summary>
    internal static List<string> RangeBounds(List<string> keys, int rangeSize)
    {
        if (keys.Count <= rangeSize)
        {
            return [];
        }

        keys.Sort(Utf8Order.Compare);
        var bounds = new List<string>();
        for (var i = rangeSize - 1; i < keys.Count - 1; i += rangeSize)
        {
            bounds.Add(keys[i]);
        }

        return bounds;
    }
}

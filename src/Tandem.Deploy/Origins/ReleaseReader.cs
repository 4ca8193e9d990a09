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

    /// <summary>A release's objects on an origin: path (relative to the release) to ETag.</summary>
    public static async Task<Dictionary<string, string>> ListReleaseObjectsAsync(OriginConnection origin, string id, CancellationToken cancellationToken)
    {
        var prefix = ReleaseLayout.ReleaseKeyPrefix(origin.Prefix, id);
        var objects = await origin.ListAsync(prefix, cancellationToken);
        return objects.ToDictionary(o => o.Key[prefix.Length..], o => o.ETag, StringComparer.Ordinal);
    }
}

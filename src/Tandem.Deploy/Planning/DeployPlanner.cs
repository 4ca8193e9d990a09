using Tandem.Core.Releases;

namespace Tandem.Deploy.Planning;

/// <summary>Decides, as plain code over listings, what a deploy uploads, copies, keeps and prunes on each origin.</summary>
public static class DeployPlanner
{
    /// <summary>
    /// The files of the new release: the folder's, plus (when <paramref name="delete"/> is false)
    /// every file of the live release that the folder lacks.
    /// </summary>
    public static IReadOnlyList<ReleaseFile> ReleaseFiles(IReadOnlyList<ReleaseFile> local, ReleaseManifest? live, bool delete)
    {
        if (delete || live is null)
        {
            return local;
        }

        var have = local.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        return local.Concat(live.Files.Where(f => !have.Contains(f.Path))).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>The plan for one origin.</summary>
    /// <param name="files">The new release's files.</param>
    /// <param name="id">The new release's id.</param>
    /// <param name="state">What the origin holds.</param>
    /// <param name="keepReleases">Releases kept, the live and the new one included.</param>
    public static OriginPlan Plan(IReadOnlyList<ReleaseFile> files, string id, OriginState state, string? prefix, int keepReleases)
    {
        var uploads = new List<ReleaseFile>();
        var copies = new List<(ReleaseFile, string)>();
        var present = 0;
        foreach (var f in files)
        {
            if (state.NewReleaseObjects.TryGetValue(f.Path, out var etag) && SameETag(etag, f.ETag))
            {
                present++;
            }
            else if (state.CopySources.TryGetValue(NormalizeETag(f.ETag), out var source) && !f.ETag.Contains('-', StringComparison.Ordinal))
            {
                // A multipart object's copy gets a plain MD5 ETag on some services (Tandem's origin
                // among them), which would no longer match the manifest; those are uploaded again.
                copies.Add((f, source));
            }
            else
            {
                uploads.Add(f);
            }
        }

        var wanted = files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var extra = state.NewReleaseObjects.Keys.Where(p => !wanted.Contains(p))
            .Select(p => ReleaseLayout.ObjectKey(prefix, id, p)).Order(StringComparer.Ordinal).ToList();
        var whole = state.Releases.Any(r => r.Id == id && r.Whole);

        return new OriginPlan
        {
            Origin = state.Origin,
            Uploads = uploads,
            Copies = copies,
            Present = present,
            Extra = extra,
            // Rewritten when anything changed under the release, so the manifest is always last.
            WriteManifest = !whole || uploads.Count > 0 || copies.Count > 0 || extra.Count > 0,
            Prune = Prune(state.Releases, id, state.LiveId, keepReleases),
        };
    }

    /// <summary>
    /// Releases to remove: beyond the newest <paramref name="keepReleases"/> whole ones (the live and
    /// the new release always kept, and counted), and every partial folder but the new one's.
    /// </summary>
    public static IReadOnlyList<string> Prune(IReadOnlyList<ReleaseOnOrigin> releases, string newId, string? liveId, int keepReleases)
    {
        var protectedIds = new HashSet<string>(StringComparer.Ordinal) { newId };
        if (liveId is not null)
        {
            protectedIds.Add(liveId);
        }

        var room = Math.Max(0, keepReleases - protectedIds.Count);
        var others = releases.Where(r => !protectedIds.Contains(r.Id)).ToList();
        var keep = others.Where(r => r.Whole).OrderByDescending(r => r.Time).ThenBy(r => r.Id, StringComparer.Ordinal).Take(room).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        return others.Where(r => !keep.Contains(r.Id)).Select(r => r.Id).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    public static string NormalizeETag(string etag) => "\"" + etag.Trim('"').ToLowerInvariant() + "\"";

    public static bool SameETag(string a, string b) => string.Equals(a.Trim('"'), b.Trim('"'), StringComparison.OrdinalIgnoreCase);
}

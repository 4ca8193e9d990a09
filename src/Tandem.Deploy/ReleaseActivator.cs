using Tandem.Core.Configuration;
using Tandem.Core.Releases;
using Tandem.Deploy.Edges;
using Tandem.Deploy.Origins;
using Tandem.Deploy.Planning;

namespace Tandem.Deploy;

/// <summary>
/// Makes a release that is whole on the origins live, in the order that never shows a mix:
/// (1) every edge prepares it (any failure stops here, nothing changed); (2) every edge switches,
/// dropping the changed paths; (3) every origin's live pointer and website configuration, so its
/// own website endpoint serves the release too. Used by deploy and rollback alike.
/// </summary>
internal sealed class ReleaseActivator(SiteConfig site, DeployConfig deploy, IEdgeFleet edges, TextWriter output)
{
    /// <summary>True when the release is live everywhere it was asked to be.</summary>
    public async Task<bool> ActivateAsync(IReadOnlyList<OriginConnection> origins, ReleaseManifest release, ReleaseManifest? previous, IReadOnlyDictionary<string, string?> liveIds, CancellationToken cancellationToken)
    {
        var id = release.Id;
        if (edges.Count > 0)
        {
            var prepared = await edges.PrepareAsync(id, cancellationToken);
            var failed = prepared.Where(r => !r.Ok).ToList();
            foreach (var f in failed)
            {
                output.WriteLine($"{f.Edge}: edge could not prepare release {id}: {f.Error}");
            }

            if (failed.Count > 0)
            {
                output.WriteLine($"release {id} not made live: {failed.Count} edge(s) could not prepare it; the previous release keeps serving");
                return false;
            }

            var paths = InvalidationPaths.Compute(previous, release, site.IndexDocument, deploy.InvalidationWildcardThreshold);
            // Not cancelled once begun: a Ctrl-C here must not leave some edges switched and others not.
            var activated = await edges.ActivateAsync(id, paths, CancellationToken.None);
            foreach (var r in activated)
            {
                output.WriteLine(r.Ok ? $"{r.Edge}: edge serves release {id} (invalidated {paths.Count} path(s))" : $"{r.Edge}: edge FAILED to switch to release {id}: {r.Error}");
            }

            if (activated.Any(r => !r.Ok))
            {
                return false;
            }
        }

        // The activation is not cancelled half-way through the origins: once edges switched, the
        // origins follow, so a Ctrl-C here cannot leave the origins' website endpoints split.
        var results = await Task.WhenAll(origins.Select(async o =>
        {
            try
            {
                var pointer = new LivePointer { Id = id, Activated = DateTimeOffset.UtcNow, Previous = liveIds.GetValueOrDefault(o.Name) is { } prev && prev != id ? prev : null };
                await o.PutWebsiteAsync(WebsiteLayout.ForRelease(site, o.Prefix, id), CancellationToken.None);
                await o.PutJsonAsync(ReleaseLayout.LiveKey(o.Prefix), pointer.ToJson(), CancellationToken.None);
                output.WriteLine($"{o.Name}: release {id} is live on the website endpoint");
                return true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                output.WriteLine($"{o.Name}: FAILED to make release {id} live: {o.Describe(ex)}");
                return false;
            }
        }));
        return results.All(r => r);
    }
}

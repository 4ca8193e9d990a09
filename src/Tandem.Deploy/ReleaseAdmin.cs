using Tandem.Core.Configuration;
using Tandem.Core.Releases;
using Tandem.Deploy.Edges;
using Tandem.Deploy.Origins;

namespace Tandem.Deploy;

/// <summary><c>tandem releases</c> and <c>tandem rollback</c>: what each origin keeps, and switching back with no upload.</summary>
public sealed class ReleaseAdmin(LoadedConfig loaded, IEdgeFleet edges, TextWriter output)
{
    // Origins are worked on in parallel and each reports as it goes: one line at a time.
    private readonly TextWriter _output = TextWriter.Synchronized(output);

    /// <summary>Prints a table of every release: id, created, files, bytes, and where it is live.</summary>
    public async Task<int> ListAsync(CancellationToken cancellationToken)
    {
        using var connections = new ConnectionSet(OriginConnection.OpenAll(loaded, OriginSnapshot.Select(loaded, null)));
        var snapshots = await OriginSnapshot.ReadAllAsync(connections.Items, cancellationToken);
        foreach (var s in snapshots.Where(s => !s.Ok))
        {
            _output.WriteLine($"{s.Origin.Name}: {s.Error}");
        }

        var edgeStatus = edges.Count > 0 ? await edges.StatusAsync(cancellationToken) : [];
        foreach (var e in edgeStatus.Where(e => !e.Ok))
        {
            _output.WriteLine($"{e.Edge}: edge status unavailable: {e.Error}");
        }

        var ok = snapshots.Where(s => s.Ok).ToList();
        var ids = ok.SelectMany(s => s.Releases.Where(r => r.Whole).Select(r => r.Id)).Distinct().ToList();
        var manifests = new List<ReleaseManifest>();
        foreach (var id in ids)
        {
            if (await Deployer.ReadFirstManifestAsync(ok.Where(s => s.Releases.Any(r => r.Id == id && r.Whole)), _ => id, cancellationToken) is { } m)
            {
                manifests.Add(m);
            }
        }

        if (manifests.Count == 0)
        {
            _output.WriteLine("no releases yet; run tandem deploy");
            return ok.Count == snapshots.Count ? 0 : 1;
        }

        _output.WriteLine($"{"release",-12}  {"created (UTC)",-19}  {"files",6}  {"bytes",10}  {"whole on",-20}  live on");
        foreach (var m in manifests.OrderByDescending(m => m.Created))
        {
            var whole = ok.Where(s => s.Releases.Any(r => r.Id == m.Id && r.Whole)).Select(s => s.Origin.Name);
            var liveOn = ok.Where(s => s.Live?.Id == m.Id).Select(s => s.Origin.Name).Concat(edgeStatus.Where(e => e.Live == m.Id).Select(e => e.Edge)).ToList();
            _output.WriteLine($"{m.Id,-12}  {m.Created.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {m.Files.Count,6}  {Format.Bytes(m.Bytes),10}  {string.Join(",", whole),-20}  {(liveOn.Count == 0 ? "-" : string.Join(", ", liveOn))}");
        }

        return ok.Count == snapshots.Count ? 0 : 1;
    }

    /// <summary>
    /// Makes release <paramref name="id"/> (default: the one created before the live one) live again
    /// on every origin and edge. It must be whole on every origin; nothing is uploaded.
    /// </summary>
    public async Task<int> RollbackAsync(string? id, CancellationToken cancellationToken)
    {
        if (id is not null && !ReleaseLayout.IsReleaseId(id))
        {
            throw new DeployException($"'{id}' is not a release id (12 hex digits); tandem releases lists them", 2);
        }

        using var connections = new ConnectionSet(OriginConnection.OpenAll(loaded, OriginSnapshot.Select(loaded, null)));
        var snapshots = await OriginSnapshot.ReadAllAsync(connections.Items, cancellationToken);
        if (snapshots.Any(s => !s.Ok))
        {
            foreach (var s in snapshots.Where(s => !s.Ok))
            {
                _output.WriteLine($"{s.Origin.Name}: {s.Error}");
            }

            _output.WriteLine("rollback needs every origin; nothing changed");
            return 1;
        }

        var liveManifest = await Deployer.ReadFirstManifestAsync(snapshots, s => s.Live?.Id, cancellationToken);
        if (id is null)
        {
            if (liveManifest is null)
            {
                throw new DeployException("no release is live, so there is none before it; give a release id");
            }

            var candidates = snapshots[0].Releases.Where(r => r.Whole && r.Id != liveManifest.Id).Select(r => r.Id).ToList();
            var dated = new List<ReleaseManifest>();
            foreach (var c in candidates)
            {
                if (await ReleaseReader.ReadManifestAsync(snapshots[0].Origin, c, cancellationToken) is { } m)
                {
                    dated.Add(m);
                }
            }

            id = dated.Where(m => m.Created < liveManifest.Created).OrderByDescending(m => m.Created).FirstOrDefault()?.Id
                ?? throw new DeployException($"no release older than the live one ({liveManifest.Id}) is kept; tandem releases lists what there is");
        }

        var missing = snapshots.Where(s => !s.Releases.Any(r => r.Id == id && r.Whole)).Select(s => s.Origin.Name).ToList();
        if (missing.Count > 0)
        {
            _output.WriteLine($"release {id} is not whole on {string.Join(", ", missing)}; nothing changed");
            return 1;
        }

        var target = await ReleaseReader.ReadManifestAsync(snapshots[0].Origin, id, cancellationToken)
            ?? throw new DeployException($"release {id}'s manifest vanished from {snapshots[0].Origin.Name}");
        var liveIds = snapshots.ToDictionary(s => s.Origin.Name, s => s.Live?.Id, StringComparer.Ordinal);
        _output.WriteLine($"rolling back to release {id} (created {target.Created.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {target.Files.Count} file(s)); live was {liveManifest?.Id ?? "none"}");
        var ok = await new ReleaseActivator(loaded.Config.Site, loaded.Config.Deploy, edges, _output).ActivateAsync(connections.Items, target, liveManifest, liveIds, cancellationToken);
        _output.WriteLine(ok ? $"release {id} is live" : $"rollback to {id} did not finish");
        return ok ? 0 : 1;
    }
}

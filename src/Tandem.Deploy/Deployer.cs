using System.Diagnostics;
using Tandem.Core.Configuration;
using Tandem.Core.Releases;
using Tandem.Deploy.Edges;
using Tandem.Deploy.Origins;
using Tandem.Deploy.Planning;
using Tandem.Deploy.Scanning;

namespace Tandem.Deploy;

/// <summary>What <c>tandem deploy</c> was asked to do.</summary>
public sealed record DeployOptions
{
    /// <summary>Site folder; default the config's site.root.</summary>
    public string? Folder { get; init; }

    public bool DryRun { get; init; }

    public bool AllowEmpty { get; init; }

    /// <summary>Make the release live on the origins that hold it whole even when others failed.</summary>
    public bool AllowPartial { get; init; }

    /// <summary>Origins to deploy to; empty means all.</summary>
    public IReadOnlyList<string> Origins { get; init; } = [];
}

/// <summary>One origin's part of a deploy, as the summary table shows it.</summary>
public sealed record OriginSummary(string Origin, int Uploaded, int Copied, int Deleted, int Unchanged, long Bytes, double Seconds, string? Error);

/// <summary>The outcome of a deploy.</summary>
public sealed record DeployResult(int ExitCode, string? ReleaseId, bool Live, IReadOnlyList<OriginSummary> Origins);

/// <summary>
/// Turns the site folder into a release on every origin, then makes it live everywhere at once.
/// A release is content-addressed, its manifest is written last on each origin, and activation
/// is a separate step, so an interrupted deploy (Ctrl-C, kill -9, an origin down) never leaves a
/// half-live release, and running it again finds what is already there.
/// </summary>
public sealed class Deployer(LoadedConfig loaded, IEdgeFleet edges, TextWriter output, DeployProgress progress)
{
    // Origins are worked on in parallel and each reports as it goes: one line at a time.
    private readonly TextWriter _output = TextWriter.Synchronized(output);

    private readonly TandemConfig _config = loaded.Config;

    public async Task<DeployResult> DeployAsync(DeployOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var names = OriginSnapshot.Select(loaded, options.Origins);

        using var connections = new ConnectionSet(OriginConnection.OpenAll(loaded, names));
        var origins = connections.Items;

        // What every origin holds is read while the folder is scanned: both take a few hundred
        // milliseconds for 10,000 files, and neither needs the other.
        var reading = OriginSnapshot.ReadAllAsync(origins, cancellationToken);

        // 1. The folder: every file's path, headers and hashes (only new or touched files are read).
        string folder;
        ScanResult scan;
        try
        {
            (folder, scan) = await SiteScanner.ScanSiteAsync(loaded, options.Folder, cancellationToken);
        }
        catch (Exception ex) when (ex is DeployException or IOException or UnauthorizedAccessException)
        {
            await reading;
            throw;
        }

        if (scan.Files.Count == 0 && !options.AllowEmpty)
        {
            throw new DeployException($"site folder '{folder}' has no files to deploy (after excludes); pass --allow-empty to publish an empty site", 2);
        }

        _output.WriteLine($"{folder}: {scan.Files.Count} file(s), {Format.Bytes(scan.Files.Sum(x => x.File.Size))}; hashed {scan.Hashed} ({Format.Bytes(scan.BytesHashed)}), the rest from the hash cache");

        // 2. What every origin holds. A refusal (credentials, missing bucket) stops everything
        // before a byte is written; an origin that cannot be reached is left out and named.
        var snapshots = await reading;
        var refused = snapshots.Where(s => !s.Ok && !s.Unreachable).ToList();
        if (refused.Count > 0)
        {
            foreach (var s in refused)
            {
                _output.WriteLine($"{s.Origin.Name}: {s.Error}");
            }

            _output.WriteLine("nothing written");
            return new DeployResult(1, null, false, []);
        }

        var reachable = snapshots.Where(s => s.Ok).ToList();
        // The live manifest (1-2 MB for 10,000 files) is only read when it is needed: to carry
        // files over (delete=false) or, below, to tell the edges what changed.
        var liveManifest = _config.Deploy.Delete ? null : await ReadFirstManifestAsync(reachable, s => s.Live?.Id, cancellationToken);
        var files = DeployPlanner.ReleaseFiles(scan.Files.Select(x => x.File).ToList(), liveManifest, _config.Deploy.Delete);
        var id = ReleaseLayout.ComputeId(files);
        var localByPath = scan.Files.ToDictionary(x => x.Path, StringComparer.Ordinal);

        // Nothing changed since the last deploy: every origin has this release live and holds its
        // manifest, which is written only once every file is there, so there is nothing to list.
        // (`tandem verify` lists and compares every object, for drift made behind Tandem's back.)
        if (snapshots.All(s => s.Ok && s.Live?.Id == id && s.Releases.Any(r => r.Id == id && r.Whole)))
        {
            _output.WriteLine($"release {id} is already live on {snapshots.Count} origin(s); nothing to upload");
            _output.WriteLine($"check: {string.Join(", ", snapshots.Select(s => s.Origin.Name))} hold its manifest (written last, once every file was there); `tandem verify` compares every object");
            var edgesLive = await CatchUpEdgesAsync(id, options.DryRun, cancellationToken);
            return new DeployResult(edgesLive ? 0 : 1, id, true, snapshots.Select(s => new OriginSummary(s.Origin.Name, 0, 0, 0, files.Count, 0, clock.Elapsed.TotalSeconds, null)).ToList());
        }

        // 3. The plan per origin: three narrow listings each, no per-file requests.
        var paths = files.Select(x => x.Path).ToList();
        var planned = await Task.WhenAll(reachable.Select(async s =>
        {
            var o = s.Origin;
            try
            {
                var existing = await ReleaseReader.ListReleaseObjectsAsync(o, id, cancellationToken, paths);
                var sources = new Dictionary<string, string>(StringComparer.Ordinal);
                if (s.Live?.Id is { } liveId && liveId != id)
                {
                    var liveObjects = await ReleaseReader.ListReleaseObjectsAsync(o, liveId, cancellationToken, paths);
                    foreach (var (path, etag) in liveObjects)
                    {
                        sources.TryAdd(DeployPlanner.NormalizeETag(etag), ReleaseLayout.ObjectKey(o.Prefix, liveId, path));
                    }
                }

                var state = new OriginState { Origin = o.Name, LiveId = s.Live?.Id, NewReleaseObjects = existing, CopySources = sources, Releases = s.Releases };
                return (Snapshot: s, Plan: DeployPlanner.Plan(files, id, state, o.Prefix, _config.Deploy.KeepReleases));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Gone since it was first read: left out like an origin that could not be reached.
                return (Snapshot: s with { Error = o.Describe(ex), Unreachable = true }, Plan: (OriginPlan?)null);
            }
        }));
        var plans = planned.Where(p => p.Plan is not null).Select(p => (p.Snapshot, Plan: p.Plan!)).ToArray();

        var unreachable = snapshots.Where(s => s.Unreachable).Concat(planned.Where(p => p.Plan is null).Select(p => p.Snapshot)).ToList();
        foreach (var s in unreachable)
        {
            _output.WriteLine($"{s.Origin.Name}: {s.Error}");
        }

        if (unreachable.Count == 0 && plans.All(p => p.Plan.NothingToWrite && p.Snapshot.Live?.Id == id))
        {
            _output.WriteLine($"release {id} is already live on {plans.Length} origin(s); nothing to upload");
            _output.WriteLine($"check: {string.Join(", ", plans.Select(p => $"{p.Plan.Origin} holds all {files.Count} file(s) with matching ETags"))}");
            var edgesLive = await CatchUpEdgesAsync(id, options.DryRun, cancellationToken);
            return new DeployResult(edgesLive ? 0 : 1, id, true, plans.Select(p => new OriginSummary(p.Plan.Origin, 0, 0, 0, p.Plan.Present, 0, clock.Elapsed.TotalSeconds, null)).ToList());
        }

        if (options.DryRun)
        {
            _output.WriteLine($"dry run: release {id} ({files.Count} file(s)); nothing written");
            foreach (var (_, plan) in plans)
            {
                _output.WriteLine($"{plan.Origin}: would upload {plan.Uploads.Count} ({Format.Bytes(plan.UploadBytes)}), copy {plan.Copies.Count}, keep {plan.Present}, delete {plan.Extra.Count} stray, prune {plan.Prune.Count} old release(s){(plan.WriteManifest ? ", write the manifest" : "")}");
                foreach (var u in plan.Uploads.Take(20))
                {
                    _output.WriteLine($"{plan.Origin}:   upload {u.Path}");
                }

                if (plan.Uploads.Count > 20)
                {
                    _output.WriteLine($"{plan.Origin}:   … and {plan.Uploads.Count - 20} more");
                }
            }

            return new DeployResult(unreachable.Count == 0 ? 0 : 1, id, false, []);
        }

        // 4. Write: every origin in parallel, deploy.parallelism transfers in flight in each.
        var created = await ReadFirstManifestAsync(reachable, s => s.Releases.Any(r => r.Id == id && r.Whole) ? id : null, cancellationToken) is { } known ? known.Created : DateTimeOffset.UtcNow;
        var manifest = new ReleaseManifest { Id = id, Created = created, Files = [.. files] };
        var summaries = await Task.WhenAll(plans.Select(p => ExecuteAsync(p.Snapshot.Origin, p.Plan, manifest, localByPath, cancellationToken)));
        progress.Finish();

        var failed = summaries.Where(s => s.Error is not null).Select(s => s.Origin).Concat(unreachable.Select(u => u.Origin.Name)).ToList();
        foreach (var s in summaries.Where(s => s.Error is not null))
        {
            _output.WriteLine($"{s.Origin}: FAILED: {s.Error}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var holding = plans.Where(p => !failed.Contains(p.Plan.Origin)).ToList();
        var live = false;
        if (failed.Count > 0 && !options.AllowPartial)
        {
            _output.WriteLine($"release {id} NOT made live: {string.Join(", ", failed)} do not hold it whole; the previous release keeps serving. Run deploy again to finish (what is there is not uploaded again), or pass --allow-partial.");
        }
        else if (holding.Count > 0)
        {
            // 5. Live: edges, then the origins' website endpoints; then old releases go.
            var connectionsHolding = holding.Select(p => p.Snapshot.Origin).ToList();
            var liveIds = holding.ToDictionary(p => p.Plan.Origin, p => p.Snapshot.Live?.Id, StringComparer.Ordinal);
            if (holding.All(p => p.Snapshot.Live?.Id == id))
            {
                _output.WriteLine($"release {id} was already live on {string.Join(", ", liveIds.Keys)}");
                live = true;
            }
            else
            {
                liveManifest ??= await ReadFirstManifestAsync(reachable, s => s.Live?.Id, cancellationToken);
                live = await new ReleaseActivator(_config.Site, _config.Deploy, edges, _output).ActivateAsync(connectionsHolding, manifest, liveManifest, liveIds, cancellationToken);
            }

            if (live)
            {
                await PruneAsync(holding.Select(p => (p.Snapshot.Origin, p.Plan)).ToList(), summaries, cancellationToken);
            }
        }

        // 6. Proof: each origin's listing of the release matches the folder, key for key, ETag for ETag.
        var checkOk = await CheckAsync(holding.Select(p => p.Snapshot.Origin).ToList(), id, files, cancellationToken);
        WriteSummary(summaries, unreachable);
        _output.WriteLine($"release {id}: {(live ? "live" : "not live")}, {clock.Elapsed.TotalSeconds:F1} s");
        var exit = failed.Count == 0 && live && checkOk ? 0 : 1;
        return new DeployResult(exit, id, live, summaries);
    }

    /// <summary>
    /// With the release already live on every origin, an edge that was down or restarted from an
    /// old state during an earlier deploy may still serve an older release: switch it over too.
    /// </summary>
    private async Task<bool> CatchUpEdgesAsync(string id, bool dryRun, CancellationToken cancellationToken)
    {
        if (edges.Count == 0)
        {
            return true;
        }

        var status = await edges.StatusAsync(cancellationToken);
        foreach (var down in status.Where(s => !s.Ok))
        {
            _output.WriteLine($"{down.Edge}: could not ask which release it serves: {down.Error}");
        }

        var behind = status.Where(s => s.Ok && s.Live != id).ToList();
        if (behind.Count > 0)
        {
            _output.WriteLine($"{string.Join(", ", behind.Select(b => $"{b.Edge} (serving {b.Live ?? "no release"})"))}: {(dryRun ? "would switch" : "switching")} to {id}");
            if (dryRun)
            {
                return true;
            }

            var steps = await edges.PrepareAsync(id, cancellationToken);
            if (steps.All(s => s.Ok))
            {
                steps = await edges.ActivateAsync(id, [], CancellationToken.None);
            }

            foreach (var failed in steps.Where(s => !s.Ok))
            {
                _output.WriteLine($"{failed.Edge}: release {id} not made live: {failed.Error}");
            }

            if (steps.Any(s => !s.Ok))
            {
                return false;
            }
        }

        if (status.All(s => s.Ok))
        {
            _output.WriteLine($"edges: all {status.Count} serve release {id}");
            return true;
        }

        return false;
    }

    private async Task<OriginSummary> ExecuteAsync(OriginConnection o, OriginPlan plan, ReleaseManifest manifest, Dictionary<string, LocalFile> local, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        int uploaded = 0, copied = 0, deleted = 0;
        long bytes = 0;
        progress.Start(o.Name, plan.Uploads.Count + plan.Copies.Count, plan.UploadBytes);
        try
        {
            if (plan.Extra.Count > 0)
            {
                await o.DeleteAsync(plan.Extra, cancellationToken);
                deleted += plan.Extra.Count;
            }

            var work = plan.Uploads.Select(u => (File: u, Source: (string?)null)).Concat(plan.Copies.Select(c => (c.File, Source: (string?)c.SourceKey)));
            await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = _config.Deploy.Parallelism, CancellationToken = cancellationToken }, async (item, ct) =>
            {
                var key = ReleaseLayout.ObjectKey(o.Prefix, manifest.Id, item.File.Path);
                if (item.Source is { } source)
                {
                    await o.CopyAsync(source, item.File, key, ct);
                    Interlocked.Increment(ref copied);
                    progress.Add(o.Name, 1, 0);
                }
                else
                {
                    var file = local.TryGetValue(item.File.Path, out var lf) ? lf : throw new DeployException($"{item.File.Path}: kept from the live release but missing from it on {o.Name}; deploy with delete=true or restore the file");
                    await o.UploadAsync(file, key, n => progress.Add(o.Name, 0, n), ct);
                    Interlocked.Increment(ref uploaded);
                    Interlocked.Add(ref bytes, item.File.Size);
                    progress.Add(o.Name, 1, 0);
                }
            });

            if (plan.WriteManifest)
            {
                await o.PutJsonAsync(ReleaseLayout.ManifestKey(o.Prefix, manifest.Id), manifest.ToJson(), cancellationToken);
            }

            return new OriginSummary(o.Name, uploaded, copied, deleted, plan.Present, bytes, watch.Elapsed.TotalSeconds, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new OriginSummary(o.Name, uploaded, copied, deleted, plan.Present, bytes, watch.Elapsed.TotalSeconds, o.Describe(ex));
        }
    }

    private async Task PruneAsync(List<(OriginConnection Origin, OriginPlan Plan)> origins, OriginSummary[] summaries, CancellationToken cancellationToken)
    {
        await Task.WhenAll(origins.Where(p => p.Plan.Prune.Count > 0).Select(async p =>
        {
            var (o, plan) = p;
            try
            {
                var removed = 0;
                foreach (var old in plan.Prune)
                {
                    // Manifest first: a release without one is no longer whole, so a crash between
                    // the two deletes never leaves a release that looks whole but is not.
                    await o.DeleteAsync([ReleaseLayout.ManifestKey(o.Prefix, old)], cancellationToken);
                    var keys = (await o.ListAsync(ReleaseLayout.ReleaseKeyPrefix(o.Prefix, old), cancellationToken)).Select(x => x.Key).ToList();
                    await o.DeleteAsync(keys, cancellationToken);
                    removed += keys.Count;
                }

                _output.WriteLine($"{o.Name}: pruned {plan.Prune.Count} old release(s) ({string.Join(", ", plan.Prune)}), {removed} object(s)");
                var i = Array.FindIndex(summaries, s => s.Origin == o.Name);
                summaries[i] = summaries[i] with { Deleted = summaries[i].Deleted + removed };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _output.WriteLine($"{o.Name}: could not prune old releases: {o.Describe(ex)} (the live release is not affected)");
            }
        }));
    }

    private async Task<bool> CheckAsync(IReadOnlyList<OriginConnection> origins, string id, IReadOnlyList<ReleaseFile> files, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(origins.Select(async o =>
        {
            try
            {
                var objects = await ReleaseReader.ListReleaseObjectsAsync(o, id, cancellationToken, files.Select(x => x.Path).ToList());
                var diff = ReleaseDiff.Compare(files, objects);
                _output.WriteLine(diff.Clean
                    ? $"check: {o.Name} holds all {files.Count} file(s) of release {id} with matching ETags"
                    : $"check: {o.Name} FAILED: {diff.Missing.Count} missing, {diff.Different.Count} different, {diff.Extra.Count} extra in release {id}");
                return diff.Clean;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _output.WriteLine($"check: {o.Name} FAILED: {o.Describe(ex)}");
                return false;
            }
        }));
        return results.All(r => r);
    }

    private void WriteSummary(IReadOnlyList<OriginSummary> summaries, IReadOnlyList<OriginSnapshot> unreachable)
    {
        _output.WriteLine($"{"origin",-16} {"uploaded",9} {"copied",7} {"deleted",8} {"unchanged",10} {"bytes",11} {"seconds",8}");
        foreach (var s in summaries)
        {
            _output.WriteLine($"{s.Origin,-16} {s.Uploaded,9} {s.Copied,7} {s.Deleted,8} {s.Unchanged,10} {Format.Bytes(s.Bytes),11} {s.Seconds,8:F2}{(s.Error is null ? "" : "  FAILED")}");
        }

        foreach (var u in unreachable)
        {
            _output.WriteLine($"{u.Origin.Name,-16} {"-",9} {"-",7} {"-",8} {"-",10} {"-",11} {"-",8}  UNREACHABLE");
        }
    }

    /// <summary>The manifest of the release <paramref name="pick"/> names, from the first origin that has it.</summary>
    internal static async Task<ReleaseManifest?> ReadFirstManifestAsync(IEnumerable<OriginSnapshot> snapshots, Func<OriginSnapshot, string?> pick, CancellationToken cancellationToken)
    {
        foreach (var s in snapshots)
        {
            if (pick(s) is { } id && await ReleaseReader.ReadManifestAsync(s.Origin, id, cancellationToken) is { } m)
            {
                return m;
            }
        }

        return null;
    }
}

/// <summary>Disposes every origin's client together.</summary>
internal sealed class ConnectionSet(List<OriginConnection> items) : IDisposable
{
    public List<OriginConnection> Items { get; } = items;

    public void Dispose() => Items.ForEach(i => i.Dispose());
}

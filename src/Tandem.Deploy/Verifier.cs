using Tandem.Core.Configuration;
using Tandem.Core.Releases;
using Tandem.Deploy.Origins;
using Tandem.Deploy.Planning;
using Tandem.Deploy.Scanning;

namespace Tandem.Deploy;

/// <summary><c>tandem verify</c>: the live release on every origin against the folder and against each other.</summary>
public sealed class Verifier(LoadedConfig loaded, TextWriter output)
{
    // Origins are worked on in parallel and each reports as it goes: one line at a time.
    private readonly TextWriter _output = TextWriter.Synchronized(output);

    /// <summary>0 when every origin's live release matches the folder; 1 on drift (0 again once --repair fixed it).</summary>
    public async Task<int> VerifyAsync(string? folder, bool repair, CancellationToken cancellationToken)
    {
        var config = loaded.Config;
        var (_, scan) = await SiteScanner.ScanSiteAsync(loaded, folder, cancellationToken);
        var files = scan.Files.Select(x => x.File).ToList();
        var paths = files.Select(x => x.Path).ToList();
        var local = scan.Files.ToDictionary(x => x.Path, StringComparer.Ordinal);
        using var connections = new ConnectionSet(OriginConnection.OpenAll(loaded, OriginSnapshot.Select(loaded, null)));
        var snapshots = await OriginSnapshot.ReadAllAsync(connections.Items, cancellationToken);
        var drift = false; // a difference was found
        var unresolved = false; // and is still there
        var liveIds = snapshots.Where(s => s.Ok).Select(s => s.Live?.Id ?? "none").Distinct().ToList();
        if (liveIds.Count > 1)
        {
            drift = unresolved = true;
            _output.WriteLine($"origins serve different releases: {string.Join(", ", snapshots.Where(s => s.Ok).Select(s => $"{s.Origin.Name}={s.Live?.Id ?? "none"}"))}");
        }

        var folderId = ReleaseLayout.ComputeId(files);
        foreach (var s in snapshots)
        {
            var o = s.Origin;
            if (!s.Ok)
            {
                _output.WriteLine($"{o.Name}: {s.Error}");
                drift = unresolved = true;
                continue;
            }

            if (s.Live is not { } live)
            {
                _output.WriteLine($"{o.Name}: no release is live; run tandem deploy");
                drift = unresolved = true;
                continue;
            }

            if (live.Id != folderId)
            {
                _output.WriteLine($"{o.Name}: note: the folder makes release {folderId}, live is {live.Id}; differences are against the folder");
            }

            Dictionary<string, string> objects;
            try
            {
                objects = await ReleaseReader.ListReleaseObjectsAsync(o, live.Id, cancellationToken, paths);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _output.WriteLine($"{o.Name}: {o.Describe(ex)}");
                drift = unresolved = true;
                continue;
            }

            var diff = ReleaseDiff.Compare(files, objects);
            if (diff.Clean)
            {
                _output.WriteLine($"{o.Name}: release {live.Id} matches the folder ({files.Count} file(s))");
                continue;
            }

            drift = true;
            unresolved |= !repair;
            foreach (var p in diff.Missing)
            {
                _output.WriteLine($"{o.Name}: missing   {p}");
            }

            foreach (var p in diff.Different)
            {
                _output.WriteLine($"{o.Name}: different {p}");
            }

            foreach (var p in diff.Extra)
            {
                _output.WriteLine($"{o.Name}: extra     {p}");
            }

            if (repair)
            {
                try
                {
                    var fix = diff.Missing.Concat(diff.Different).ToList();
                    await Parallel.ForEachAsync(fix, new ParallelOptions { MaxDegreeOfParallelism = config.Deploy.Parallelism, CancellationToken = cancellationToken }, async (path, ct) =>
                        await o.UploadAsync(local[path], ReleaseLayout.ObjectKey(o.Prefix, live.Id, path), null, ct));
                    await o.DeleteAsync(diff.Extra.Select(p => ReleaseLayout.ObjectKey(o.Prefix, live.Id, p)).ToList(), cancellationToken);
                    var after = ReleaseDiff.Compare(files, await ReleaseReader.ListReleaseObjectsAsync(o, live.Id, cancellationToken, paths));
                    _output.WriteLine(after.Clean
                        ? $"{o.Name}: repaired: uploaded {fix.Count}, deleted {diff.Extra.Count}; release {live.Id} now matches the folder"
                        : $"{o.Name}: repair incomplete: {after.Missing.Count + after.Different.Count + after.Extra.Count} difference(s) left");
                    unresolved |= !after.Clean;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _output.WriteLine($"{o.Name}: repair FAILED: {o.Describe(ex)}");
                    unresolved = true;
                }
            }
        }

        if (!drift)
        {
            _output.WriteLine($"no drift: {snapshots.Count} origin(s) serve release {liveIds.Single()} and match the folder");
        }

        return unresolved ? 1 : 0;
    }
}

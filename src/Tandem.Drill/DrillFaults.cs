using Amazon.S3.Model;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.Deploy.Origins;

namespace Tandem.Drill;

/// <summary>
/// One outage: injected once, restored once. Restore must undo whatever part of the injection
/// happened (it runs in a finally, after a failed or interrupted injection too) and may be called
/// when nothing was injected.
/// </summary>
public interface IDrillFault
{
    /// <summary>What is injected, for the progress line.</summary>
    string Describe { get; }

    Task InjectAsync(CancellationToken cancellationToken);

    Task RestoreAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The reference's test: the primary bucket's website configuration deleted, so its website
/// endpoint answers 404 for every key. The exact configuration (routing rules included, which
/// name the live release) is kept in memory and put back. A website configuration cannot expire
/// by itself, so a marker file in the state folder says one is deleted until it is put back; a
/// drill that finds the marker (its predecessor was killed) puts back what deploys set first.
/// </summary>
public sealed class WebsiteDeletedFault(OriginConnection origin, string stateDir) : IDrillFault
{
    private WebsiteConfiguration? _saved;

    public string Describe => $"delete the website configuration of bucket '{origin.Bucket}' on {origin.Name}";

    /// <summary>The marker of a deleted website configuration not yet put back.</summary>
    public static string MarkerPath(string stateDir, string originName) => Path.Combine(stateDir, $"drill-website-deleted-{originName}");

    public async Task InjectAsync(CancellationToken cancellationToken)
    {
        _saved = await origin.GetWebsiteAsync(cancellationToken)
            ?? throw new InvalidOperationException($"bucket '{origin.Bucket}' on {origin.Name} has no website configuration to delete");
        Directory.CreateDirectory(stateDir);
        await File.WriteAllTextAsync(MarkerPath(stateDir, origin.Name), $"{Environment.ProcessId}\n", CancellationToken.None);
        await origin.DeleteWebsiteAsync(cancellationToken);
    }

    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (_saved is not null)
        {
            await origin.PutWebsiteAsync(_saved, cancellationToken);
            _saved = null;
            File.Delete(MarkerPath(stateDir, origin.Name));
        }
    }

    /// <summary>
    /// When an earlier drill was killed with the website configuration deleted: puts back the one
    /// a deploy sets for the live release (plain hosting when there is none). Returns what it did, or null.
    /// </summary>
    public static async Task<string?> RecoverAsync(OriginConnection origin, string stateDir, SiteConfig site, CancellationToken cancellationToken)
    {
        var marker = MarkerPath(stateDir, origin.Name);
        if (!File.Exists(marker))
        {
            return null;
        }

        string done = "it was back already";
        if (await origin.GetWebsiteAsync(cancellationToken) is null)
        {
            var live = await ReleaseReader.ReadLiveAsync(origin, cancellationToken);
            await origin.PutWebsiteAsync(live is null ? WebsiteLayout.Plain(site) : WebsiteLayout.ForRelease(site, origin.Prefix, live.Id), cancellationToken);
            done = live is null ? "put back plain hosting" : $"put back hosting of the live release {live.Id}";
        }

        File.Delete(marker);
        return $"an earlier drill left the website configuration of {origin.Name} deleted: {done}";
    }
}

/// <summary>A fault file in the primary's data directory: its website endpoint answers a 5xx, or slowly.</summary>
public sealed class OriginFaultFile(string originName, string dataDir, OriginFault fault) : IDrillFault
{
    private bool _written;

    public string Describe => fault.Status is { } status
        ? $"{originName} answers {status} ({OriginFault.PathIn(dataDir)})"
        : $"{originName} answers after {fault.DelayMs} ms ({OriginFault.PathIn(dataDir)})";

    public Task InjectAsync(CancellationToken cancellationToken)
    {
        _written = true;
        fault.Write(dataDir);
        return Task.CompletedTask;
    }

    public Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (_written)
        {
            OriginFault.Remove(dataDir);
            _written = false;
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Origin processes stopped the hard way: a "down" hold (so the supervisor leaves them dead),
/// then SIGKILL. Restore removes the holds, which makes the supervisor start them again at once,
/// and waits until the stack file shows each running with a new process id.
/// </summary>
public sealed class KillFault(string stateDir, IReadOnlyList<string> origins, TimeSpan holdFor, TimeSpan restartBound) : IDrillFault
{
    private readonly Dictionary<string, int?> _killed = new(StringComparer.Ordinal);

    public string Describe => $"kill -9 {string.Join(" and ", origins)} (held down by {NodeHold.FolderName}/)";

    public Task InjectAsync(CancellationToken cancellationToken)
    {
        var stack = ReadStack(stateDir);
        foreach (var name in origins)
        {
            var pid = stack.Find("origin", name)?.Pid ?? throw new InvalidOperationException($"{StackFile.FileName} shows no process for origin {name}");
            _killed[name] = pid;
            new NodeHold { Kind = "down", Until = DateTimeOffset.UtcNow + holdFor, By = Environment.ProcessId }.Write(stateDir, name);
            if (!ProcessSignals.Send(pid, ProcessSignals.SigKill))
            {
                throw new InvalidOperationException($"could not kill origin {name} (pid {pid})");
            }
        }

        return Task.CompletedTask;
    }

    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (_killed.Count == 0)
        {
            return;
        }

        foreach (var name in _killed.Keys)
        {
            NodeHold.Remove(stateDir, name);
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(restartBound);
        var waiting = new Dictionary<string, int?>(_killed, StringComparer.Ordinal);
        _killed.Clear();
        while (true)
        {
            var stack = TryReadStack(stateDir);
            foreach (var (name, oldPid) in waiting.ToList())
            {
                if (stack?.Find("origin", name) is { State: "running", Pid: { } pid } && pid != oldPid && ProcessSignals.Exists(pid))
                {
                    waiting.Remove(name);
                }
            }

            if (waiting.Count == 0)
            {
                return;
            }

            try
            {
                await Task.Delay(100, bound.Token);
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException($"the supervisor did not restart {string.Join(" and ", waiting.Keys)} within {restartBound.TotalSeconds:0} s of the hold's removal");
            }
        }
    }

    internal static StackFile ReadStack(string stateDir) =>
        TryReadStack(stateDir) ?? throw new InvalidOperationException($"no {StackFile.PathIn(stateDir)}");

    private static StackFile? TryReadStack(string stateDir)
    {
        try
        {
            return StackFile.TryRead(StackFile.PathIn(stateDir));
        }
        catch (FormatException)
        {
            // Read while being replaced: ask again on the next round.
            return null;
        }
    }
}

/// <summary>
/// The primary frozen: a "frozen" hold (the supervisor sends SIGCONT when it expires, should the
/// drill itself die), then SIGSTOP. The kernel keeps accepting connections that nothing answers.
/// </summary>
public sealed class FreezeFault(string stateDir, string origin, int pid, TimeSpan holdFor) : IDrillFault
{
    private bool _stopped;

    public string Describe => $"SIGSTOP {origin} (pid {pid})";

    public Task InjectAsync(CancellationToken cancellationToken)
    {
        new NodeHold { Kind = "frozen", Until = DateTimeOffset.UtcNow + holdFor, By = Environment.ProcessId }.Write(stateDir, origin);
        _stopped = true;
        if (!ProcessSignals.Send(pid, ProcessSignals.SigStop))
        {
            throw new InvalidOperationException($"could not stop origin {origin} (pid {pid})");
        }

        return Task.CompletedTask;
    }

    public Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            ProcessSignals.Send(pid, ProcessSignals.SigCont);
            NodeHold.Remove(stateDir, origin);
            _stopped = false;
        }

        return Task.CompletedTask;
    }
}

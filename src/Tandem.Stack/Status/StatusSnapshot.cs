using Tandem.Core.Stack;

namespace Tandem.Stack.Status;

/// <summary>
/// Everything <c>tandem status</c> shows, gathered once by <see cref="StatusCollector"/>; the
/// renderer and <c>--json</c> only read it. A node that could not be read has its Error set and
/// its figures null; nothing here is an exception.
/// </summary>
public sealed record StatusSnapshot
{
    public required DateTimeOffset Taken { get; init; }

    public required string ConfigPath { get; init; }

    /// <summary>The state folder read for stack.json and drills/.</summary>
    public string StateDir { get; init; } = StackFile.DefaultStateDir;

    /// <summary>The running <c>tandem up</c>, or null when there is no stack file (or only a stale one).</summary>
    public StackSummary? Stack { get; init; }

    public List<OriginReport> Origins { get; init; } = [];

    public List<EdgeReport> Edges { get; init; } = [];

    public List<DnsReport> Dns { get; init; } = [];

    public required ReleaseReport Releases { get; init; }

    public DrillReport? LastDrill { get; init; }

    /// <summary>What is down, unhealthy or drifting, one line each; empty when all is well.</summary>
    public List<string> Problems { get; init; } = [];

    /// <summary>0 when everything is up, healthy and in sync; 1 otherwise.</summary>
    public int ExitCode => Problems.Count == 0 ? 0 : 1;
}

/// <summary>The supervisor of a running stack, or a note on a stack file that was not used.</summary>
public sealed record StackSummary(int SupervisorPid, DateTimeOffset StartedAt, string StateDir);

/// <summary>A node's process as the supervisor reports it.</summary>
public sealed record NodeProcess(string State, int? Pid, int Restarts)
{
    public static NodeProcess? Of(StackNode? node) => node is null ? null : new NodeProcess(node.State, node.Pid, node.Restarts);

    public bool Running => State == "running";
}

/// <summary>One origin: its process, its live release, and its health as each edge sees it.</summary>
public sealed record OriginReport
{
    public required string Name { get; init; }

    public string? Region { get; init; }

    public NodeProcess? Process { get; init; }

    /// <summary>Id of the release its _tandem/live.json names; null when none is live or it could not be read.</summary>
    public string? Live { get; init; }

    /// <summary>Why the live release could not be read; null when it was read.</summary>
    public string? LiveError { get; init; }

    /// <summary>Health as each reachable edge sees it, in edge order.</summary>
    public List<OriginHealthSeen> Health { get; init; } = [];
}

/// <summary>An origin's health as one edge sees it; Detail is the edge's last error for it.</summary>
public sealed record OriginHealthSeen(string Edge, bool Healthy, string? Detail);

/// <summary>One edge: reachable or not, what it serves from, its cache and its traffic since start.</summary>
public sealed record EdgeReport
{
    public required string Name { get; init; }

    /// <summary>Visitor URL (http, else https).</summary>
    public string? Url { get; init; }

    public NodeProcess? Process { get; init; }

    /// <summary>Why GET /status failed ("connection refused (127.0.0.1:8081)"); null when it answered.</summary>
    public string? Error { get; init; }

    public string? Live { get; init; }

    /// <summary>The origin uncached requests go to now, or null when none of the group is healthy.</summary>
    public string? ServingFrom { get; init; }

    public long? CacheEntries { get; init; }

    public long? CacheBytes { get; init; }

    public long? CacheHits { get; init; }

    public long? CacheMisses { get; init; }

    /// <summary>Hits over lookups, or null before the first lookup.</summary>
    public double? HitRatio => CacheHits is { } h && CacheMisses is { } m && h + m > 0 ? (double)h / (h + m) : null;

    /// <summary>Request counts from GET /metrics; null when it could not be read (see <see cref="TrafficError"/>).</summary>
    public EdgeTraffic? Traffic { get; init; }

    public string? TrafficError { get; init; }
}

/// <summary>Visitor requests since the edge started, by status class, and failovers to the next origin.</summary>
public sealed record EdgeTraffic(long Requests, long ClientErrors, long ServerErrors, long Failovers)
{
    public double? ClientErrorRate => Requests > 0 ? (double)ClientErrors / Requests : null;

    public double? ServerErrorRate => Requests > 0 ? (double)ServerErrors / Requests : null;
}

/// <summary>One DNS node: its health checks and how often it gave each answer.</summary>
public sealed record DnsReport
{
    public required string Name { get; init; }

    public string? Url { get; init; }

    public NodeProcess? Process { get; init; }

    public string? Error { get; init; }

    public long? Queries { get; init; }

    public List<DnsCheckReport> Checks { get; init; } = [];

    public List<DnsAnswerReport> Answers { get; init; } = [];
}

public sealed record DnsCheckReport(string Name, bool Healthy, string? LastError);

public sealed record DnsAnswerReport(string Record, string Target, long Count);

/// <summary>The live release on every origin, and whether they agree.</summary>
public sealed record ReleaseReport
{
    /// <summary>Origin name to its live release id (null: none live, or unreadable).</summary>
    public Dictionary<string, string?> LiveByOrigin { get; init; } = new(StringComparer.Ordinal);

    /// <summary>True when every origin was read and all name the same live release (or none).</summary>
    public required bool InSync { get; init; }

    /// <summary>The one live release when in sync; null otherwise or when nothing is live.</summary>
    public string? Live { get; init; }

    public static ReleaseReport Of(IEnumerable<OriginReport> origins)
    {
        var list = origins.ToList();
        var ids = list.Select(o => o.Live).Distinct(StringComparer.Ordinal).ToList();
        var inSync = list.All(o => o.LiveError is null) && ids.Count <= 1;
        return new ReleaseReport
        {
            LiveByOrigin = list.ToDictionary(o => o.Name, o => o.Live, StringComparer.Ordinal),
            InSync = inSync,
            Live = inSync ? ids.FirstOrDefault() : null,
        };
    }
}

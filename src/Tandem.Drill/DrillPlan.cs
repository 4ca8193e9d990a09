using System.Net;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;

namespace Tandem.Drill;

/// <summary>A config or stack that does not allow the drill asked for: exit code 2, with the setting to change.</summary>
public sealed class DrillUsageException(string message) : Exception(message);

/// <summary>
/// Who plays which part in a drill, from the config and (when <c>tandem up</c> runs the stack) the
/// stack file: the edge the load goes to, the primary and standby of the origin group its "*"
/// behavior targets, where the primary keeps its data, and the DNS record to watch.
/// </summary>
public sealed record DrillPlan
{
    public required string EdgeName { get; init; }

    /// <summary>Base URL of the edge's HTTP listener, without the trailing slash.</summary>
    public required string EdgeUrl { get; init; }

    /// <summary>Base URL of the edge's admin listener (its open /healthz/origins), or null when it cannot be told.</summary>
    public string? EdgeAdminUrl { get; init; }

    /// <summary>Every origin of the group, in order: a scenario ends once the edge sees all of them healthy again.</summary>
    public IReadOnlyList<string> GroupOrigins { get; init; } = [];

    public required string Primary { get; init; }

    public required string Standby { get; init; }

    /// <summary>The primary's data directory (where fault.json goes), or null when Tandem does not run it.</summary>
    public string? PrimaryDataDir { get; init; }

    /// <summary>The edge's response timeout for the primary: the slow scenario delays answers past it.</summary>
    public required int PrimaryResponseTimeoutMs { get; init; }

    /// <summary>Longest a visitor's request may take before the drill counts it failed.</summary>
    public required int RequestTimeoutMs { get; init; }

    /// <summary>The failover record the name server answers for the edge, if the config has one.</summary>
    public DnsWatch? Dns { get; init; }

    /// <summary>
    /// Reads the plan. The primary is the first origin of the group the "*" behavior targets and the
    /// standby the next; uncached requests need that behavior to key the cache on the query string.
    /// </summary>
    public static DrillPlan From(LoadedConfig loaded, StackFile? stack, string? edgeName)
    {
        var config = loaded.Config;
        var edge = edgeName ?? config.Edges.Keys.FirstOrDefault()
            ?? throw new DrillUsageException("the config has no edge ($.edges); a drill sends its load through one");
        if (!config.Edges.TryGetValue(edge, out var edgeConfig))
        {
            throw new DrillUsageException($"unknown edge '{edge}'; the config has: {string.Join(", ", config.Edges.Keys)}");
        }

        var behaviors = config.Distribution.Behaviors;
        var index = behaviors.FindIndex(b => b.PathPattern == "*");
        string target;
        bool queryInKey;
        string setting;
        if (index >= 0)
        {
            target = behaviors[index].Target;
            queryInKey = behaviors[index].CachePolicy.QueryStringInKey;
            setting = $"distribution.behaviors[{index}].cachePolicy.queryStringInKey";
        }
        else
        {
            // The edge's default: one "*" behavior to the first origin group, with the default cache policy.
            target = config.Distribution.OriginGroups.Keys.FirstOrDefault() ?? "";
            queryInKey = new CachePolicyConfig().QueryStringInKey;
            setting = "distribution.behaviors (a \"*\" behavior with cachePolicy.queryStringInKey)";
        }

        if (!config.Distribution.OriginGroups.TryGetValue(target, out var group) || group.Origins.Count < 2)
        {
            throw new DrillUsageException($"the edge's \"*\" behavior targets '{target}', not an origin group of two origins; a drill measures failover from the primary to the standby (distribution.originGroups)");
        }

        if (!queryInKey)
        {
            throw new DrillUsageException($"{setting} must be true: the drill's uncached requests differ only in their query string, and must reach an origin");
        }

        var primary = group.Origins[0];
        var standby = group.Origins[1];
        var primaryConfig = config.Origins[primary];
        var primaryNode = stack?.Find("origin", primary);
        var dataDir = primaryNode?.DataDir ?? (primaryConfig.Server is { } server ? loaded.ResolvePath(server.DataDir) : null);
        var edgeUrl = stack?.Find("edge", edge)?.Urls.GetValueOrDefault("http") is { } fromStack
            ? fromStack.TrimEnd('/')
            : HttpUrl(edgeConfig.HttpListen)
              ?? throw new DrillUsageException($"$.edges.{edge}.httpListen: a drill needs the edge's plain HTTP listener with a fixed port, or a stack run by `tandem up`");
        var adminUrl = stack?.Find("edge", edge)?.Urls.GetValueOrDefault("admin") is { } adminFromStack
            ? adminFromStack.TrimEnd('/')
            : edgeConfig.AdminUrl?.TrimEnd('/') ?? HttpUrl(edgeConfig.AdminListen);
        var perAttempt = group.Origins.Sum(o => config.Origins.TryGetValue(o, out var c) ? (c.Connection.ConnectTimeoutMs * c.Connection.ConnectionAttempts) + c.Connection.ResponseTimeoutMs : 0);
        return new DrillPlan
        {
            EdgeName = edge,
            EdgeUrl = edgeUrl,
            EdgeAdminUrl = adminUrl,
            GroupOrigins = group.Origins,
            Primary = primary,
            Standby = standby,
            PrimaryDataDir = dataDir,
            PrimaryResponseTimeoutMs = primaryConfig.Connection.ResponseTimeoutMs,
            RequestTimeoutMs = perAttempt + 5000,
            Dns = DnsWatchFor(config, stack, edge),
        };
    }

    /// <summary>
    /// The first failover record whose primary is health-checked, on the first DNS node: the answer
    /// that should move to the secondary when the edge has no healthy origin. Null when there is none.
    /// </summary>
    internal static DnsWatch? DnsWatchFor(TandemConfig config, StackFile? stack, string edge)
    {
        var node = config.Dns.Nodes.FirstOrDefault();
        if (node.Key is null)
        {
            return null;
        }

        var listen = stack?.Find("dns", node.Key)?.Urls.GetValueOrDefault("dns") is { } url ? StripScheme(url) : node.Value.Listen;
        if (!ListenAddress.TryParse(listen, out var endpoint, out _) || endpoint.Port == 0)
        {
            return null;
        }

        foreach (var (zone, zoneConfig) in config.Dns.Zones)
        {
            foreach (var record in zoneConfig.Records)
            {
                if (record.Failover is { Primary.HealthCheck: { } check, Secondary.Value: { } secondary }
                    && (record.Failover.Primary.Edge is null || record.Failover.Primary.Edge == edge)
                    && config.Dns.HealthChecks.TryGetValue(check, out var health))
                {
                    var name = record.Name == "@" ? zone : $"{record.Name}.{zone}";
                    return new DnsWatch(name.TrimEnd('.'), ListenAddress.Reachable(endpoint).Address.ToString(), endpoint.Port, secondary, health.IntervalMs * health.FailureThreshold);
                }
            }
        }

        return null;
    }

    /// <summary>The listener's URL, or null when it has no fixed port (port 0 is known only to the running node).</summary>
    private static string? HttpUrl(string? listen) =>
        ListenAddress.TryParse(listen, out var endpoint, out _) && endpoint.Port != 0 ? ListenAddress.ReachableUrl(listen) : null;

    private static string StripScheme(string url)
    {
        var at = url.IndexOf("://", StringComparison.Ordinal);
        return (at >= 0 ? url[(at + 3)..] : url).TrimEnd('/');
    }
}

using System.Net;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.Monitor.Alarms;
using Tandem.Monitor.Scraping;

namespace Tandem.Monitor;

/// <summary>What a monitor node runs with; <see cref="FromConfig"/> builds it from the config file.</summary>
public sealed record MonitorOptions
{
    public string Name { get; init; } = "monitor";

    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 9090);

    /// <summary>The SQLite file.</summary>
    public required string StorePath { get; init; }

    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Retention { get; init; } = TimeSpan.FromHours(25);

    public IReadOnlyList<ScrapeTarget> Targets { get; init; } = [];

    public IReadOnlyList<AlarmDefinition> Alarms { get; init; } = [];

    /// <summary>Origin groups by name: their origins in order of preference.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> OriginGroups { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Region label of each origin.</summary>
    public IReadOnlyDictionary<string, string?> Regions { get; init; } = new Dictionary<string, string?>();

    /// <summary>The stack's state folder, where drills write their reports; null: none shown.</summary>
    public string? StateDir { get; init; }

    public static MonitorOptions FromConfig(LoadedConfig loaded, string name)
    {
        var config = loaded.Config;
        if (!config.Monitor.Nodes.TryGetValue(name, out var node))
        {
            var known = config.Monitor.Nodes.Count == 0 ? "the config has no monitor.nodes section" : "monitors: " + string.Join(", ", config.Monitor.Nodes.Keys);
            throw new ConfigException(loaded.SourcePath, [new ConfigError($"$.monitor.nodes.{name}", $"there is no monitor named '{name}' ({known})")]);
        }

        if (!ListenAddress.TryParse(node.Listen, out var listen, out var problem))
        {
            throw new ConfigException(loaded.SourcePath, [new ConfigError($"$.monitor.nodes.{name}.listen", problem)]);
        }

        return new MonitorOptions
        {
            Name = name,
            Listen = listen,
            StorePath = loaded.ResolvePath(node.StorePath ?? Path.Combine(".tandem", "monitor", name + ".db")),
            ScrapeInterval = TimeSpan.FromMilliseconds(config.Monitor.ScrapeIntervalMs),
            Retention = TimeSpan.FromHours(config.Monitor.RetentionHours),
            Targets = TargetsOf(config, exceptMonitor: name),
            Alarms = [.. config.Monitor.EffectiveAlarms.Select(a => new AlarmDefinition(a.Key, a.Value))],
            OriginGroups = config.Distribution.OriginGroups.ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Value.Origins, StringComparer.Ordinal),
            Regions = config.Origins.ToDictionary(o => o.Key, o => o.Value.Region, StringComparer.Ordinal),
            StateDir = StateDirFor(loaded),
        };
    }

    /// <summary>
    /// Every node of the config with Prometheus text: edges (admin /metrics), origins Tandem runs
    /// (/_tandem/metrics on the S3 listener), DNS nodes (metricsListen /metrics) and the other monitors.
    /// </summary>
    public static IReadOnlyList<ScrapeTarget> TargetsOf(TandemConfig config, string? exceptMonitor = null)
    {
        var targets = new List<ScrapeTarget>();
        foreach (var (name, edge) in config.Edges)
        {
            targets.Add(new ScrapeTarget("edge", name, new Uri((edge.AdminUrl ?? "http://" + Reachable(edge.AdminListen)).TrimEnd('/') + "/metrics")));
        }

        foreach (var (name, origin) in config.Origins)
        {
            if (origin.Server is { } server)
            {
                targets.Add(new ScrapeTarget("origin", name, new Uri("http://" + Reachable(server.S3Listen) + "/_tandem/metrics")));
            }
        }

        foreach (var (name, dns) in config.Dns.Nodes)
        {
            targets.Add(new ScrapeTarget("dns", name, new Uri("http://" + Reachable(dns.MetricsListen) + "/metrics")));
        }

        foreach (var (name, monitor) in config.Monitor.Nodes)
        {
            if (name != exceptMonitor)
            {
                targets.Add(new ScrapeTarget("monitor", name, new Uri("http://" + Reachable(monitor.Listen) + "/metrics")));
            }
        }

        return targets;
    }

    /// <summary>A listen address as a client on this machine reaches it: a wildcard becomes loopback.</summary>
    public static string Reachable(string listen)
    {
        return ListenAddress.TryParse(listen, out var endpoint, out _) ? ListenAddress.Reachable(endpoint).ToString() : listen;
    }

    // The stack `tandem up` runs keeps its config in its state folder; otherwise the state folder
    // is .tandem next to the config, where `tandem drill` writes when run from there.
    private static string StateDirFor(LoadedConfig loaded)
    {
        foreach (var dir in new[] { loaded.BaseDirectory, Path.Combine(loaded.BaseDirectory, StackFile.DefaultStateDir) })
        {
            try
            {
                if (StackFile.TryRead(StackFile.PathIn(dir)) is { } stack)
                {
                    return stack.StateDir;
                }
            }
            catch (FormatException)
            {
            }
        }

        return File.Exists(Path.Combine(loaded.BaseDirectory, "stack.json")) || Directory.Exists(Path.Combine(loaded.BaseDirectory, DrillReport.FolderName))
            ? loaded.BaseDirectory
            : Path.Combine(loaded.BaseDirectory, StackFile.DefaultStateDir);
    }
}

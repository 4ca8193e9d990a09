using Microsoft.Extensions.Logging;
using Tandem.Core.Configuration;

namespace Tandem.Edge.Origins;

/// <summary>
/// The origins and origin groups an edge fetches from, built once from the config: one
/// <see cref="OriginRuntime"/> per origin (shared by every group naming it), and a target per
/// group and per origin, so a behavior's target resolves the same way whichever it names.
/// </summary>
public sealed class OriginCatalog : IDisposable
{
    private readonly Dictionary<string, OriginGroupRuntime> _targets;

    private OriginCatalog(Dictionary<string, OriginRuntime> origins, Dictionary<string, OriginGroupRuntime> targets)
    {
        Origins = origins;
        _targets = targets;
    }

    /// <summary>Origins by name: those that some group or behavior names (the first origin when nothing does).</summary>
    public IReadOnlyDictionary<string, OriginRuntime> Origins { get; }

    /// <summary>Origin groups and single origins by name.</summary>
    public IReadOnlyDictionary<string, OriginGroupRuntime> Targets => _targets;

    /// <summary>The group, or the group of one, a behavior's target names.</summary>
    /// <exception cref="KeyNotFoundException">No group or edge-reachable origin has that name.</exception>
    public OriginGroupRuntime GetTarget(string name) =>
        _targets.TryGetValue(name, out var target) ? target
            : throw new KeyNotFoundException($"'{name}' is neither an origin group nor an origin the edge fetches from (known: {string.Join(", ", _targets.Keys)})");

    /// <summary>
    /// Builds the runtime origins of a validated config. Origins that no group or behavior
    /// names are left out, so an S3-only origin used by deploy needs no website endpoint.
    /// </summary>
    /// <exception cref="ConfigException">An origin the edge needs has no usable website endpoint.</exception>
    public static OriginCatalog FromConfig(TandemConfig config, TimeProvider? time = null, ILoggerFactory? loggerFactory = null, OriginMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var distribution = config.Distribution;
        var needed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in distribution.OriginGroups.Values)
        {
            needed.UnionWith(group.Origins);
        }

        foreach (var behavior in distribution.Behaviors)
        {
            if (config.Origins.ContainsKey(behavior.Target))
            {
                needed.Add(behavior.Target);
            }
        }

        if (needed.Count == 0 && config.Origins.Count > 0)
        {
            needed.Add(config.Origins.Keys.First());
        }

        var logger = loggerFactory?.CreateLogger("Tandem.Edge.Origins");
        var origins = new Dictionary<string, OriginRuntime>(StringComparer.Ordinal);
        var errors = new List<ConfigError>();
        try
        {
            foreach (var (name, origin) in config.Origins)
            {
                if (!needed.Contains(name))
                {
                    continue;
                }

                try
                {
                    var runtime = new OriginRuntime(OriginEndpoint.FromConfig(name, origin), time, logger);
                    origins[name] = runtime;
                    metrics?.Track(runtime);
                }
                catch (ConfigException ex)
                {
                    errors.AddRange(ex.Errors);
                }
            }

            if (errors.Count > 0)
            {
                throw new ConfigException("config", errors);
            }

            var targets = origins.Values.ToDictionary(o => o.Name, OriginGroupRuntime.Single, StringComparer.Ordinal);
            foreach (var (name, group) in distribution.OriginGroups)
            {
                var members = group.Origins.Select(o => origins.TryGetValue(o, out var r) ? r
                    : throw new ConfigException("config", [new ConfigError($"$.distribution.originGroups.{name}.origins", $"there is no origin named '{o}'")])).ToList();
                targets[name] = new OriginGroupRuntime(name, members, group.FailoverStatusCodes);
            }

            return new OriginCatalog(origins, targets);
        }
        catch
        {
            foreach (var o in origins.Values)
            {
                o.Dispose();
            }

            throw;
        }
    }

    public void Dispose()
    {
        foreach (var origin in Origins.Values)
        {
            origin.Dispose();
        }
    }
}

using Tandem.Core.Configuration;
using Tandem.Edge.Origins;

namespace Tandem.Edge.Serving;

/// <summary>A behavior with its pattern compiled and its target resolved.</summary>
public sealed record Behavior(PathPattern Pattern, BehaviorConfig Config, OriginGroupRuntime Target)
{
    public bool Allows(string method)
    {
        foreach (var m in Config.AllowedMethods)
        {
            if (m == method)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The distribution's behaviors in order; the first whose pattern matches applies.</summary>
public sealed class BehaviorTable
{
    private readonly Behavior[] _behaviors;

    public BehaviorTable(IEnumerable<Behavior> behaviors)
    {
        _behaviors = behaviors.ToArray();
        if (_behaviors.Length == 0)
        {
            throw new ArgumentException("a distribution needs at least one behavior", nameof(behaviors));
        }
    }

    public IReadOnlyList<Behavior> All => _behaviors;

    /// <summary>The behavior for <paramref name="path"/>; the last one catches what none matched.</summary>
    public Behavior Match(string path)
    {
        foreach (var b in _behaviors)
        {
            if (b.Pattern.IsMatch(path))
            {
                return b;
            }
        }

        return _behaviors[^1];
    }

    /// <summary>
    /// Resolves the configured behaviors against the catalog's groups and origins. With none
    /// configured, one "*" behavior goes to the first origin group, or else the first origin.
    /// </summary>
    public static BehaviorTable Create(DistributionConfig distribution, OriginCatalog catalog)
    {
        var configured = distribution.Behaviors.Count > 0
            ? distribution.Behaviors
            : [new BehaviorConfig { PathPattern = "*", Target = distribution.OriginGroups.Keys.FirstOrDefault() ?? catalog.Origins.Keys.First() }];
        return new BehaviorTable(configured.Select(b => new Behavior(new PathPattern(b.PathPattern), b, catalog.GetTarget(b.Target))));
    }
}

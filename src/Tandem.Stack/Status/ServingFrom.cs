using Tandem.Core.Configuration;

namespace Tandem.Stack.Status;

/// <summary>
/// Which origin an edge sends uncached requests to: the first healthy origin, in the group's
/// order, of the target behind the "*" behavior (the edge's own rule: with no behaviors the first
/// origin group, else the first origin; with no "*" behavior the last one, which catches the rest).
/// </summary>
public static class ServingFrom
{
    /// <summary>The origins behind the "*" behavior, in failover order.</summary>
    public static IReadOnlyList<string> DefaultGroup(TandemConfig config)
    {
        var behaviors = config.Distribution.Behaviors;
        var target = behaviors.Count == 0
            ? config.Distribution.OriginGroups.Keys.FirstOrDefault() ?? config.Origins.Keys.FirstOrDefault()
            : (behaviors.FirstOrDefault(b => b.PathPattern == "*") ?? behaviors[^1]).Target;
        if (target is null)
        {
            return [];
        }

        return config.Distribution.OriginGroups.TryGetValue(target, out var group) ? group.Origins : [target];
    }

    /// <summary>The first of <paramref name="group"/> that <paramref name="healthy"/> says is healthy; null when none is.</summary>
    public static string? Choose(IReadOnlyList<string> group, Func<string, bool> healthy) =>
        group.FirstOrDefault(healthy);
}

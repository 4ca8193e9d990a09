namespace Tandem.Dns.Zones;

/// <summary>Which targets of a routed set are answered, given health: pure, as Route 53 decides.</summary>
public static class TargetSelection
{
    /// <summary>
    /// Failover (targets[0] primary, targets[1] secondary): the primary while healthy; else the
    /// secondary if it is healthy or has no check; when both are unhealthy, the primary.
    /// Multivalue: every healthy target, or every target when none is healthy.
    /// </summary>
    /// <param name="healthy">Health by check index; a target with check -1 is always healthy.</param>
    public static IReadOnlyList<RoutedTarget> Select(RoutingPolicy policy, IReadOnlyList<RoutedTarget> targets, IReadOnlyList<bool> healthy)
    {
        bool Ok(RoutedTarget t) => t.Check < 0 || healthy[t.Check];
        if (policy == RoutingPolicy.Failover)
        {
            return Ok(targets[0]) || !Ok(targets[1]) ? [targets[0]] : [targets[1]];
        }

        var up = targets.Where(Ok).ToArray();
        return up.Length > 0 ? up : [.. targets];
    }
}

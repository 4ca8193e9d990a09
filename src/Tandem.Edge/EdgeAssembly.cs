namespace Tandem.Edge;

/// <summary>
/// The edge: Tandem's CDN node. Caching/ holds the RFC 9111 decisions and the in-memory cache;
/// Origins/ holds origin groups, health and failover.
/// </summary>
internal static class EdgeAssembly
{
    public const string MeterName = "Tandem.Edge";
}

using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tandem.Edge.Origins;

/// <summary>
/// One origin while an edge runs: where it is, its health and its connection pool. Each origin
/// has one, shared by every group and behavior that names it, so its health is learned once.
/// </summary>
public sealed class OriginRuntime : IDisposable
{
    /// <param name="endpoint">The resolved origin.</param>
    /// <param name="time">Clock for health and timeouts; null for the system clock.</param>
    /// <param name="logger">Where health changes are logged; null for none.</param>
    /// <param name="handler">Transport to use instead of the default SocketsHttpHandler (tests); disposed with this.</param>
    public OriginRuntime(OriginEndpoint endpoint, TimeProvider? time = null, ILogger? logger = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        Time = time ?? TimeProvider.System;
        Health = new OriginHealth(endpoint.Connection.HealthCheck, Time);
        Client = new OriginClient(endpoint, Time, handler);
        var log = logger ?? NullLogger.Instance;
        Health.StateChanged += s =>
        {
            if (s.State == OriginHealthState.Unhealthy)
            {
                OriginsLog.OriginUnhealthy(log, Name, s.LastError ?? "");
            }
            else
            {
                OriginsLog.OriginHealthy(log, Name, s.ConsecutiveSuccesses);
            }
        };
    }

    public string Name => Endpoint.Name;

    public OriginEndpoint Endpoint { get; }

    public OriginHealth Health { get; }

    internal OriginClient Client { get; }

    internal TimeProvider Time { get; }

    public void Dispose() => Client.Dispose();

    public override string ToString() => Endpoint.ToString();
}

/// <summary>
/// Origins a request may be sent to, in order of preference, and the statuses that make it move
/// on: an origin group, or a single origin as a group of one.
/// </summary>
public sealed class OriginGroupRuntime
{
    /// <summary>CloudFront's CDK default failover criteria.</summary>
    public static readonly IReadOnlyList<int> DefaultFailoverStatusCodes = [500, 502, 503, 504];

    /// <param name="name">The group's (or the single origin's) name.</param>
    /// <param name="origins">Origins in order of preference; the first is the primary.</param>
    /// <param name="failoverStatusCodes">Statuses that send a GET, HEAD or OPTIONS on; null for 500, 502, 503, 504.</param>
    public OriginGroupRuntime(string name, IReadOnlyList<OriginRuntime> origins, IEnumerable<int>? failoverStatusCodes = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(origins);
        if (origins.Count == 0)
        {
            throw new ArgumentException($"origin group '{name}' has no origins", nameof(origins));
        }

        Name = name;
        Origins = origins;
        FailoverStatusCodes = (failoverStatusCodes ?? DefaultFailoverStatusCodes).ToFrozenSet();
    }

    public string Name { get; }

    public IReadOnlyList<OriginRuntime> Origins { get; }

    public FrozenSet<int> FailoverStatusCodes { get; }

    /// <summary>A behavior that names one origin: the same fetch path, with nothing to fail over to.</summary>
    public static OriginGroupRuntime Single(OriginRuntime origin) => new(origin.Name, [origin]);
}

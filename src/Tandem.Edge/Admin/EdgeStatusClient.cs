using Tandem.Core.Configuration;

namespace Tandem.Edge.Admin;

/// <summary>Reads every edge of a config at once: GET /status (with the admin token) and GET /metrics (Prometheus text).</summary>
public static class EdgeStatusClient
{
    public static Task<IReadOnlyList<EdgeCallResult<EdgeAdminStatus>>> StatusAsync(LoadedConfig loaded, TimeSpan timeout, CancellationToken cancellationToken) =>
        EdgeAdminCalls.ToAllAsync<EdgeAdminStatus>(loaded, HttpMethod.Get, "status", null, cancellationToken, timeout);

    public static Task<IReadOnlyList<EdgeCallResult<string>>> MetricsAsync(LoadedConfig loaded, TimeSpan timeout, CancellationToken cancellationToken) =>
        EdgeAdminCalls.ToAllAsync<string>(loaded, HttpMethod.Get, "metrics", null, cancellationToken, timeout);
}

using System.Net;
using Tandem.Core.Configuration;
using Tandem.Edge;

namespace Tandem.FunctionalTests.Infrastructure;

/// <summary>An edge on 127.0.0.1 (free ports) in front of an origin group, started through the production wiring.</summary>
public static class EdgeFixture
{
    public const string AdminToken = "test-admin-token";

    /// <summary>Fast-failing connection settings, so tests do not wait long on a dead origin.</summary>
    public static OriginConnectionConfig FastConnection(int responseTimeoutMs = 2000) => new()
    {
        ConnectTimeoutMs = 500,
        ResponseTimeoutMs = responseTimeoutMs,
        HealthCheck = new HealthCheckConfig { IntervalMs = 200, TimeoutMs = 500, UnhealthyThreshold = 2, HealthyThreshold = 2 },
    };

    public static EdgeOptions Options(IReadOnlyList<(string Name, string WebsiteUrl)> origins, DistributionConfig? distribution = null, EdgeCacheConfig? cache = null, int responseTimeoutMs = 2000) => new()
    {
        Name = "edge-test",
        HttpListen = new IPEndPoint(IPAddress.Loopback, 0),
        AdminListen = new IPEndPoint(IPAddress.Loopback, 0),
        AdminToken = AdminToken,
        AccessLog = null,
        Cache = cache ?? new EdgeCacheConfig(),
        Origins = origins.ToDictionary(o => o.Name, o => new OriginConfig { WebsiteEndpoint = o.WebsiteUrl, Region = o.Name, Connection = FastConnection(responseTimeoutMs) }),
        Distribution = distribution ?? new DistributionConfig
        {
            OriginGroups = new() { ["site"] = new OriginGroupConfig { Origins = origins.Select(o => o.Name).ToList(), FailoverStatusCodes = [403, 404, 500, 502, 503, 504] } },
            Behaviors = [new BehaviorConfig { PathPattern = "*", Target = "site" }],
            CustomErrorResponses = [new CustomErrorResponseConfig { ErrorCode = 404, ResponsePagePath = "/404.html", TtlSeconds = 5 }],
        },
    };

    public static Task<EdgeHost> StartAsync(EdgeOptions options) => EdgeHost.StartAsync(options);
}

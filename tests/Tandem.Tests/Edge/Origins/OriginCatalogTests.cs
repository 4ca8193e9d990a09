using Tandem.Core.Configuration;
using Tandem.Edge.Origins;

namespace Tandem.Tests.Edge.Origins;

public class OriginCatalogTests
{
    private static TandemConfig Config(List<BehaviorConfig>? behaviors = null) => new()
    {
        Origins = new(StringComparer.Ordinal)
        {
            ["primary"] = new OriginConfig { WebsiteEndpoint = "http://127.0.0.1:9001" },
            ["standby"] = new OriginConfig { Server = new OriginServerConfig { WebsiteListen = "127.0.0.1:9011" } },
            ["archive"] = new OriginConfig { S3Endpoint = "http://127.0.0.1:9020" },
        },
        Distribution = new DistributionConfig
        {
            OriginGroups = new(StringComparer.Ordinal)
            {
                ["site"] = new OriginGroupConfig { Origins = ["primary", "standby"], FailoverStatusCodes = [403, 404, 500, 502, 503, 504] },
            },
            Behaviors = behaviors ?? [new BehaviorConfig { PathPattern = "*", Target = "site" }],
        },
    };

    [Fact]
    public void FromConfig_Group_SharesOneRuntimePerOrigin()
    {
        using var catalog = OriginCatalog.FromConfig(Config());

        var group = catalog.GetTarget("site");
        Assert.Equal(["primary", "standby"], group.Origins.Select(o => o.Name));
        Assert.Same(catalog.Origins["primary"], group.Origins[0]);
        Assert.Same(catalog.Origins["primary"], catalog.GetTarget("primary").Origins.Single());
        Assert.Contains(404, (IReadOnlySet<int>)group.FailoverStatusCodes);
    }

    [Fact]
    public void FromConfig_OriginNoEdgeNeeds_IsLeftOut()
    {
        using var catalog = OriginCatalog.FromConfig(Config());

        Assert.False(catalog.Origins.ContainsKey("archive"));
        Assert.Throws<KeyNotFoundException>(() => catalog.GetTarget("archive"));
    }

    [Fact]
    public void FromConfig_BehaviorNamesOriginWithoutWebsite_ReportsIt()
    {
        var config = Config([new BehaviorConfig { PathPattern = "/old/*", Target = "archive" }, new BehaviorConfig { Target = "site" }]);

        var ex = Assert.Throws<ConfigException>(() => OriginCatalog.FromConfig(config));

        Assert.Equal("$.origins.archive.websiteEndpoint", Assert.Single(ex.Errors).Path);
    }
}

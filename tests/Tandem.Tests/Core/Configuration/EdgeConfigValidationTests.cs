using Tandem.Core.Configuration;

namespace Tandem.Tests.Core.Configuration;

public sealed class EdgeConfigValidationTests
{
    private const string Origins = """
        "origins": {
          "primary": { "websiteEndpoint": "http://127.0.0.1:9001" },
          "standby": { "websiteEndpoint": "http://127.0.0.1:9011" }
        }
        """;

    [Fact]
    public void Parse_GroupBehaviorAndEdge_AcceptsAWorkingDistribution()
    {
        var json = $$"""
            { {{Origins}},
              "distribution": {
                "originGroups": { "site": { "origins": ["primary", "standby"], "failoverStatusCodes": [403, 404, 500, 502, 503, 504] } },
                "behaviors": [ { "pathPattern": "/assets/*", "target": "site", "cachePolicy": { "minTtl": 1, "defaultTtl": 60, "maxTtl": 600 } },
                               { "pathPattern": "*", "target": "site" } ],
                "customErrorResponses": [ { "errorCode": 404, "responsePagePath": "/404.html", "ttlSeconds": 30 } ]
              },
              "edges": { "edge-1": { "httpListen": "127.0.0.1:8080", "adminListen": "127.0.0.1:8081", "adminToken": { "env": "TANDEM_ADMIN_TOKEN" } } }
            }
            """;

        var loaded = ConfigLoader.Parse(json, "/t/tandem.json");

        Assert.Equal(["primary", "standby"], loaded.Config.Distribution.OriginGroups["site"].Origins);
        Assert.Equal(2, loaded.Config.Distribution.Behaviors.Count);
        Assert.Equal(1000, loaded.Config.Origins["primary"].Connection.ConnectTimeoutMs);
    }

    [Fact]
    public void Parse_BrokenDistribution_ReportsEachProblemWithItsPath()
    {
        var json = $$"""
            { {{Origins}},
              "distribution": {
                "originGroups": { "site": { "origins": ["primary", "nowhere"], "failoverStatusCodes": [429] }, "solo": { "origins": ["primary"] } },
                "behaviors": [ { "pathPattern": "", "target": "missing", "cachePolicy": { "minTtl": 100, "defaultTtl": 10 } } ],
                "customErrorResponses": [ { "errorCode": 200, "responsePagePath": "404.html" } ]
              },
              "edges": { "edge-1": { "httpsListen": "127.0.0.1:8443", "redirectHttpToHttps": false, "adminListen": "127.0.0.1:8080" } }
            }
            """;

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, "/t/tandem.json"));

        var paths = ex.Errors.Select(e => e.Path).ToHashSet();
        Assert.Contains("$.distribution.originGroups.site.origins[1]", paths);
        Assert.Contains("$.distribution.originGroups.site.failoverStatusCodes[0]", paths);
        Assert.Contains("$.distribution.originGroups.solo.origins", paths);
        Assert.Contains("$.distribution.behaviors[0].pathPattern", paths);
        Assert.Contains("$.distribution.behaviors[0].target", paths);
        Assert.Contains("$.distribution.behaviors[0].cachePolicy", paths);
        Assert.Contains("$.distribution.customErrorResponses[0].errorCode", paths);
        Assert.Contains("$.distribution.customErrorResponses[0].responsePagePath", paths);
        Assert.Contains("$.edges.edge-1.tls", paths);
        Assert.Contains("$.edges.edge-1.adminToken", paths);
        Assert.Contains("$.edges.edge-1.adminListen", paths);
    }
}

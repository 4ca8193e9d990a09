using Tandem.Core.Configuration;
using Tandem.Core.Releases;
using Tandem.Core.Stack;
using Tandem.Drill;

namespace Tandem.Tests.Drill;

public class DrillPlanTests
{
    private static LoadedConfig Config(bool queryStringInKey = true, string[]? group = null, string? extra = null) => ConfigLoader.Parse($$"""
        {
          "origins": {
            "east": { "s3Endpoint": "http://127.0.0.1:9000", "websiteEndpoint": "http://127.0.0.1:9001", "server": { "dataDir": "data/east" },
                      "connection": { "responseTimeoutMs": 3000 } },
            "west": { "s3Endpoint": "http://127.0.0.1:9010", "websiteEndpoint": "http://127.0.0.1:9011" },
            "north": { "s3Endpoint": "http://127.0.0.1:9020", "websiteEndpoint": "http://127.0.0.1:9021" }
          },
          "distribution": {
            "originGroups": { "site": { "origins": [{{string.Join(", ", (group ?? ["east", "west"]).Select(o => $"\"{o}\""))}}] } },
            "behaviors": [
              { "pathPattern": "/css/*", "target": "site" },
              { "pathPattern": "*", "target": "site", "cachePolicy": { "queryStringInKey": {{(queryStringInKey ? "true" : "false")}} } }
            ]
          },
          "edges": {
            "edge-1": { "httpListen": "0.0.0.0:8080", "adminListen": "127.0.0.1:8081", "adminToken": { "env": "PATH" } },
            "edge-2": { "httpListen": "127.0.0.1:8090", "adminListen": "127.0.0.1:8091", "adminToken": { "env": "PATH" } }
          }{{extra}}
        }
        """, "/srv/tandem/tandem.json");

    [Fact]
    public void From_PrimaryAndStandby_AreTheFirstTwoOriginsOfTheStarBehaviorsGroup()
    {
        var plan = DrillPlan.From(Config(group: ["west", "north", "east"]), null, null);

        Assert.Equal("west", plan.Primary);
        Assert.Equal("north", plan.Standby);
        Assert.Equal(["west", "north", "east"], plan.GroupOrigins);
        Assert.Equal("edge-1", plan.EdgeName);
        Assert.Equal("http://127.0.0.1:8080", plan.EdgeUrl);
        Assert.Null(plan.PrimaryDataDir);
    }

    [Fact]
    public void From_DataDirFromConfig_EdgeByName_ResponseTimeout()
    {
        var plan = DrillPlan.From(Config(), null, "edge-2");

        Assert.Equal("east", plan.Primary);
        Assert.Equal(Path.GetFullPath("/srv/tandem/data/east"), plan.PrimaryDataDir);
        Assert.Equal("http://127.0.0.1:8090", plan.EdgeUrl);
        Assert.Equal(3000, plan.PrimaryResponseTimeoutMs);
        // Both origins' connect + response timeouts, and a margin.
        Assert.Equal(1000 + 3000 + 1000 + 5000 + 5000, plan.RequestTimeoutMs);
        Assert.Null(plan.Dns);
    }

    [Fact]
    public void From_StackFileWins_ForEdgeUrlAndDataDir()
    {
        var stack = new StackFile
        {
            ConfigPath = "/srv/tandem/tandem.json",
            StateDir = "/srv/tandem/.tandem",
            SupervisorPid = 1,
            StartedAt = DateTimeOffset.UnixEpoch,
            Nodes =
            [
                new StackNode { Role = "origin", Name = "east", Pid = 10, DataDir = "/var/east" },
                new StackNode { Role = "edge", Name = "edge-1", Pid = 11, Urls = { ["http"] = "http://127.0.0.1:18080/", ["admin"] = "http://127.0.0.1:18081" } },
            ],
        };

        var plan = DrillPlan.From(Config(), stack, null);

        Assert.Equal("/var/east", plan.PrimaryDataDir);
        Assert.Equal("http://127.0.0.1:18080", plan.EdgeUrl);
        Assert.Equal("http://127.0.0.1:18081", plan.EdgeAdminUrl);
    }

    [Theory]
    [InlineData("ok: primary, standby\n", "primary,standby")]
    [InlineData("ok: primary\n", "primary")]
    [InlineData("no healthy origin (primary, standby)\n", "")]
    public void HealthyOrigins_ReadFromHealthzOrigins(string body, string expected)
    {
        var names = DrillRunner.HealthyOrigins(body);

        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(), names.Order());
    }

    [Fact]
    public void From_QueryStringNotInKey_NamesTheSetting()
    {
        var ex = Assert.Throws<DrillUsageException>(() => DrillPlan.From(Config(queryStringInKey: false), null, null));

        Assert.StartsWith("distribution.behaviors[1].cachePolicy.queryStringInKey must be true", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_UnknownEdge_ListsTheEdges()
    {
        var ex = Assert.Throws<DrillUsageException>(() => DrillPlan.From(Config(), null, "edge-9"));

        Assert.Equal("unknown edge 'edge-9'; the config has: edge-1, edge-2", ex.Message);
    }

    [Fact]
    public void From_DnsFailoverRecord_IsWatched()
    {
        var plan = DrillPlan.From(Config(extra: """
            ,
            "dns": {
              "nodes": { "ns1": { "listen": "127.0.0.1:5353", "metricsListen": "127.0.0.1:5380" } },
              "healthChecks": { "edge": { "target": "127.0.0.1:8081", "path": "/healthz/origins", "intervalMs": 1000, "failureThreshold": 2 } },
              "zones": { "example.test": { "records": [
                { "name": "www", "type": "A", "ttl": 5, "failover": { "primary": { "edge": "edge-2", "healthCheck": "edge" }, "secondary": { "value": "127.0.0.2" } } }
              ] } }
            }
            """), null, "edge-2");

        Assert.Equal(new DnsWatch("www.example.test", "127.0.0.1", 5353, "127.0.0.2", 2000), plan.Dns);
    }

    [Theory]
    [InlineData(new string[0], "website-deleted,kill,freeze,5xx,slow,both-down")]
    [InlineData(new[] { "slow", "5xx", "slow" }, "slow,5xx")]
    public void Scenarios_Parse(string[] names, string expected)
    {
        Assert.Equal(expected, string.Join(',', DrillScenarios.Parse(names, out var problem)!));
        Assert.Null(problem);
    }

    [Fact]
    public void Scenarios_Unknown_ListsTheValidOnes()
    {
        Assert.Null(DrillScenarios.Parse(["kill", "flood"], out var problem));
        Assert.Equal("unknown scenario 'flood'; valid: website-deleted, kill, freeze, 5xx, slow, both-down", problem);
    }

    [Fact]
    public void SitePaths_IndexDocumentsAsFolders_PagesFirst_Escaped()
    {
        ReleaseFile File(string path) => new() { Path = path, Md5 = "", Size = 1, ETag = "", ContentType = "" };
        var manifest = new ReleaseManifest { Id = "0123456789ab", Created = DateTimeOffset.UnixEpoch, Files = [File("css/site.css"), File("about/index.html"), File("index.html"), File("a b.html")] };

        var paths = DrillRunner.SitePaths(manifest, "index.html").ToList();

        Assert.Equal(["/a%20b.html", "/about/", "/", "/css/site.css"], paths);
        Assert.True(DrillRunner.IsPage("/about/"));
        Assert.False(DrillRunner.IsPage("/404.html"));
        Assert.False(DrillRunner.IsPage("/css/site.css"));
    }

    [Fact]
    public void Descriptions_OneForEveryScenario_InTheOrderTheyRun()
    {
        Assert.Equal(DrillScenarios.All, DrillScenarios.Descriptions.Select(d => d.Name));
        Assert.All(DrillScenarios.Descriptions, d => Assert.False(string.IsNullOrWhiteSpace(d.Injects)));
    }
}

using System.Net;
using Tandem.Core.Configuration;
using Tandem.Stack.Up;

namespace Tandem.Tests.Stack;

public sealed class UpTemplateTests
{
    private static LoadedConfig Load(int offset, string siteRoot = "/srv/site") =>
        ConfigLoader.Parse(UpTemplate.Render(siteRoot, offset), "/state/.tandem/tandem.json");

    [Fact]
    public void Template_LoadsWithTheConfigLoader_AndHasTheDefaultPorts()
    {
        var loaded = Load(0);
        var config = loaded.Config;

        Assert.Equal("127.0.0.1:9000", config.Origins["primary"].Server!.S3Listen);
        Assert.Equal("127.0.0.1:9001", config.Origins["primary"].Server!.WebsiteListen);
        Assert.Equal("http://127.0.0.1:9000", config.Origins["primary"].S3Endpoint);
        Assert.Equal("http://127.0.0.1:9011", config.Origins["standby"].WebsiteEndpoint);
        Assert.Equal("127.0.0.1:9010", config.Origins["standby"].Server!.S3Listen);
        Assert.Equal("127.0.0.1:8080", config.Edges["edge-1"].HttpListen);
        Assert.Equal("127.0.0.1:8443", config.Edges["edge-1"].HttpsListen);
        Assert.Equal("127.0.0.1:8081", config.Edges["edge-1"].AdminListen);
        Assert.Equal("127.0.0.1:5353", config.Dns.Nodes["ns1"].Listen);
        Assert.Equal("127.0.0.1:5380", config.Dns.Nodes["ns1"].MetricsListen);
        Assert.Equal("127.0.0.1:8081", config.Dns.HealthChecks["edge-1"].Target);
    }

    [Fact]
    public void Template_PathsAreInsideTheStateFolder_AndTheSiteRootIsAbsolute()
    {
        var loaded = Load(0, "/srv/my site");
        var config = loaded.Config;

        Assert.Equal("/srv/my site", config.Site.Root);
        Assert.Equal("/state/.tandem/primary", loaded.ResolvePath(config.Origins["primary"].Server!.DataDir));
        Assert.Equal("/state/.tandem/standby", loaded.ResolvePath(config.Origins["standby"].Server!.DataDir));
        Assert.Equal("/state/.tandem/credentials", loaded.ResolvePath(config.Origins["primary"].Credentials!.File!));
        Assert.Equal("standby", config.Origins["standby"].Credentials!.Profile);
        Assert.Equal("/state/.tandem/tls/edge.crt", loaded.ResolvePath(config.Edges["edge-1"].Tls!.CertificateFile));
        Assert.Equal("/state/.tandem/admin-token", loaded.ResolvePath(config.Edges["edge-1"].AdminToken!.File!));
        Assert.Equal("/state/.tandem/edges/edge-1", loaded.ResolvePath(config.Edges["edge-1"].StateDir!));
        Assert.Equal("/state/.tandem/deploy-hashes.tsv", loaded.ResolvePath(config.Deploy.HashCache));
    }

    [Fact]
    public void Template_DistributionAndDns_AreWhatTheDrillNeeds()
    {
        var config = Load(0).Config;

        Assert.Equal(["primary", "standby"], config.Distribution.OriginGroups["site"].Origins);
        Assert.Equal([403, 404, 500, 502, 503, 504], config.Distribution.OriginGroups["site"].FailoverStatusCodes);
        var behavior = Assert.Single(config.Distribution.Behaviors);
        Assert.True(behavior.CachePolicy.QueryStringInKey);
        Assert.Equal(60, behavior.CachePolicy.DefaultTtl);
        Assert.Equal([(404, 10L), (502, 5L), (504, 5L)], config.Distribution.CustomErrorResponses.Select(e => (e.ErrorCode, e.TtlSeconds)));
        Assert.All(config.Distribution.CustomErrorResponses, e => Assert.Equal("/404.html", e.ResponsePagePath));

        var check = config.Dns.HealthChecks["edge-1"];
        Assert.Equal("/healthz/origins", check.Path);
        Assert.Equal(1000, check.IntervalMs);
        var www = config.Dns.Zones["example.test"].Records.Single(r => r.Name == "www");
        Assert.Equal(5, www.Ttl);
        Assert.Equal("edge-1", www.Failover!.Primary!.Edge);
        Assert.Equal("127.0.0.2", www.Failover.Secondary!.Value);
    }

    [Fact]
    public void Template_PortOffset_MovesEveryListenerAndEndpoint()
    {
        var config = Load(1000).Config;

        Assert.Equal("127.0.0.1:10000", config.Origins["primary"].Server!.S3Listen);
        Assert.Equal("http://127.0.0.1:10001", config.Origins["primary"].WebsiteEndpoint);
        Assert.Equal("127.0.0.1:10011", config.Origins["standby"].Server!.WebsiteListen);
        Assert.Equal("127.0.0.1:9080", config.Edges["edge-1"].HttpListen);
        Assert.Equal("127.0.0.1:9443", config.Edges["edge-1"].HttpsListen);
        Assert.Equal("127.0.0.1:6353", config.Dns.Nodes["ns1"].Listen);
        Assert.Equal("127.0.0.1:9081", config.Dns.HealthChecks["edge-1"].Target);
    }

    [Fact]
    public void Plan_OfTheTemplate_RunsEveryNodeInStartOrder_WithEachDefaultPortAndItsSetting()
    {
        var plan = StackPlan.For(Load(7), _ => true);

        Assert.True(plan.RunsEveryOrigin);
        Assert.Equal(["origin primary", "origin standby", "edge edge-1", "dns ns1", "monitor mon-1"], plan.Nodes.Select(n => $"{n.Role} {n.Name}"));
        var listeners = plan.Nodes.SelectMany(n => n.Listeners).ToDictionary(l => l.Setting, l => l.Endpoint);
        Assert.Equal(UpTemplate.DefaultPorts.Count, listeners.Count);
        foreach (var (setting, port) in UpTemplate.DefaultPorts)
        {
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, port + 7), listeners[setting]);
        }

        Assert.True(plan.Nodes.Single(n => n.Role == "dns").Listeners[0].AlsoUdp);
        Assert.Equal("https://127.0.0.1:8450", plan.Nodes.Single(n => n.Role == "edge").Urls["https"]);
        Assert.Equal("/state/.tandem/primary", plan.Nodes[0].DataDir);
    }
}

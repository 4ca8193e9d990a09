using System.Net;
using Tandem.Core.Configuration;
using Tandem.Stack.Up;

namespace Tandem.Tests.Stack;

/// <summary>Which nodes of a config `tandem up --config` runs on this machine.</summary>
public sealed class StackPlanTests
{
    private static readonly IPAddress ThisHost = IPAddress.Parse("10.1.2.3");

    private const string TwoMachines = """
        {
          "origins": {
            "primary": { "bucket": "site", "s3Endpoint": "http://127.0.0.1:9000", "websiteEndpoint": "http://127.0.0.1:9001",
                         "server": { "dataDir": "p", "s3Listen": "127.0.0.1:9000", "websiteListen": "127.0.0.1:9001" } },
            "standby": { "bucket": "site", "s3Endpoint": "http://192.0.2.20:9000", "websiteEndpoint": "http://192.0.2.20:9001" }
          },
          "distribution": { "originGroups": { "site": { "origins": ["primary", "standby"] } } },
          "edges": {
            "local": { "httpListen": "*:8080", "adminListen": "10.1.2.3:8081", "adminToken": { "env": "T" } },
            "remote": { "httpListen": "192.0.2.30:8080", "adminListen": "127.0.0.1:8091", "adminToken": { "env": "T" } }
          },
          "dns": {
            "nodes": {
              "ns1": { "listen": "[::]:5353", "metricsListen": "[::1]:5380" },
              "ns2": { "listen": "192.0.2.31:53", "metricsListen": "192.0.2.31:5380" }
            },
            "zones": { "example.test": { "records": [ { "name": "www", "type": "A", "values": ["192.0.2.1"] } ] } }
          }
        }
        """;

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.5.6.7", true)]
    [InlineData("::1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("10.1.2.4", false)]
    [InlineData("192.0.2.30", false)]
    public void IsLocal_LoopbackWildcardOrAnInterfaceAddress(string address, bool local) =>
        Assert.Equal(local, StackPlan.IsLocal(IPAddress.Parse(address), [ThisHost]));

    [Fact]
    public void For_AConfigSpanningMachines_SelectsOriginsWithServerAndNodesListeningHere()
    {
        var loaded = ConfigLoader.Parse(TwoMachines, "/etc/tandem/tandem.json");

        var plan = StackPlan.For(loaded, a => StackPlan.IsLocal(a, [ThisHost]));

        Assert.Equal(["origin primary", "edge local", "dns ns1"], plan.Nodes.Select(n => $"{n.Role} {n.Name}"));
        Assert.False(plan.RunsEveryOrigin);
        var edge = plan.Nodes.Single(n => n.Role == "edge");
        Assert.Equal("http://127.0.0.1:8080", edge.Urls["http"]);
        Assert.Equal("http://10.1.2.3:8081", edge.Urls["admin"]);
        Assert.Equal("[::1]:5353", plan.Nodes.Single(n => n.Role == "dns").Urls["dns"]);
    }

    [Fact]
    public void InterfaceAddresses_IncludeLoopback()
    {
        Assert.Contains(IPAddress.Loopback, StackPlan.InterfaceAddresses());
    }
}

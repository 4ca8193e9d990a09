using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Tandem.Core.Configuration;
using Tandem.Dns.Zones;

namespace Tandem.Tests.Dns;

public sealed class AnswerTableTests
{
    private static readonly List<ZoneModel> Zones = ZoneModelBuilder.Build(ConfigLoader.Parse("""
        {
          "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:9001" } },
          "dns": {
            "healthChecks": { "east": { "target": "127.0.0.1:1" }, "west": { "target": "127.0.0.1:2" } },
            "zones": {
              "example.com": { "records": [
                { "name": "www", "type": "A", "failover": { "primary": { "value": "192.0.2.1", "healthCheck": "east" }, "secondary": { "value": "192.0.2.2", "healthCheck": "west" } } },
                { "name": "@", "type": "ALIAS", "alias": "www" },
                { "name": "x.y", "type": "TXT", "values": ["t"] }
              ] },
              "sub.example.org": { "records": [ { "name": "@", "type": "A", "multivalue": [ { "value": "192.0.2.7" } ] } ] }
            }
          }
        }
        """, "/t/tandem.json").Config, new Dictionary<string, int> { ["east"] = 0, ["west"] = 1 });

    private static string Address(AnswerTable table, string name) =>
        ((ARecord)table.FindZone(DomainName.Parse(name))!.Nodes[DomainName.Parse(name)].Sets[RecordType.A].Records.Single().Record).Address.ToString();

    [Theory]
    [InlineData(true, true, "192.0.2.1")]
    [InlineData(false, true, "192.0.2.2")]
    [InlineData(false, false, "192.0.2.1")]
    public void Build_ApexAlias_FollowsTheFailoverOfItsTarget(bool east, bool west, string expected)
    {
        var table = AnswerTable.Build(Zones, [east, west]);

        Assert.Equal(expected, Address(table, "www.example.com"));
        Assert.Equal(expected, Address(table, "example.com"));
    }

    [Fact]
    public void Build_NameWithRecordsOnlyBelowIt_ExistsWithoutRecords()
    {
        var zone = AnswerTable.Build(Zones, [true, true]).FindZone(DomainName.Parse("y.example.com"))!;

        Assert.Empty(zone.Nodes[DomainName.Parse("y.example.com")].Sets);
        Assert.False(zone.Nodes.ContainsKey(DomainName.Parse("z.example.com")));
    }

    [Fact]
    public void Build_RoutedSetAtTheApex_CountsUnderTheApexName()
    {
        var set = Assert.IsType<RoutedSet>(Assert.Single(Zones.Single(z => z.Apex.Equals(DomainName.Parse("sub.example.org"))).Sets));

        var counter = Assert.Single(set.Targets).Counter;

        Assert.Equal("sub.example.org A", counter.RecordSet);
        Assert.Equal("target0 192.0.2.7", counter.Target);
    }

    [Theory]
    [InlineData("a.sub.example.org", "sub.example.org")]
    [InlineData("WWW.Example.COM", "example.com")]
    [InlineData("example.org", null)]
    [InlineData("notexample.com", null)]
    public void FindZone_ClosestEnclosingZoneOrNone(string name, string? zone)
    {
        var found = AnswerTable.Build(Zones, [true, true]).FindZone(DomainName.Parse(name));

        Assert.Equal(zone, found?.Model.Apex.ToString().TrimEnd('.'));
    }
}

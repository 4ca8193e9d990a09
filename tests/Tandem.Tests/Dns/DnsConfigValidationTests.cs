using Tandem.Core.Configuration;

namespace Tandem.Tests.Dns;

public sealed class DnsConfigValidationTests
{
    private static string Config(string records, string extra = "") => $$"""
        {
          "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:9001" } },
          "dns": {
            "nodes": { "ns1": { "listen": "127.0.0.1:5353", "metricsListen": "127.0.0.1:5380" } },
            "healthChecks": { "edge": { "target": "127.0.0.1:8081", "path": "/healthz", "intervalMs": 1000 } },
            "zones": { "example.com": { "records": [ {{records}} ] } }{{extra}}
          }
        }
        """;

    private static IReadOnlyList<ConfigError> Errors(string json) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json, "/t/tandem.json")).Errors;

    [Fact]
    public void Parse_ValidZone_Loads()
    {
        var loaded = ConfigLoader.Parse(Config("""
            { "name": "www", "type": "A", "failover": { "primary": { "value": "192.0.2.1", "healthCheck": "edge" }, "secondary": { "value": "192.0.2.2" } } },
            { "name": "@", "type": "ALIAS", "alias": "www" },
            { "name": "@", "type": "MX", "values": ["10 mail.example.com"] },
            { "name": "@", "type": "CAA", "values": ["0 issue \"letsencrypt.org\""] }
            """), "/t/tandem.json");

        Assert.Equal(4, loaded.Config.Dns.Zones["example.com"].Records.Count);
    }

    [Fact]
    public void Parse_BadRecordValue_NamesTheRecordAndTheFix()
    {
        var errors = Errors(Config("""
            { "name": "a", "type": "A", "values": ["192.0.2.1"] },
            { "name": "b", "type": "A", "values": ["192.0.2.2"] },
            { "name": "c", "type": "TXT", "values": ["x"] },
            { "name": "d", "type": "A", "values": ["not-an-ip"] }
            """));

        var e = Assert.Single(errors);
        Assert.Equal("$.dns.zones.example.com.records[3].values[0]", e.Path);
        Assert.Equal("(d A) 'not-an-ip' is not an IPv4 address", e.Message);
    }

    [Theory]
    [InlineData("""{ "name": "x", "type": "SRV", "values": ["1"] }""", "$.dns.zones.example.com.records[0].type", "not a record type")]
    [InlineData("""{ "name": "x.", "type": "A", "values": ["192.0.2.1"] }""", "$.dns.zones.example.com.records[0].name", "no trailing dot")]
    [InlineData("""{ "name": "@", "type": "CNAME", "values": ["a.example.net"] }""", "$.dns.zones.example.com.records[0].type", "use type ALIAS")]
    [InlineData("""{ "name": "m", "type": "MX", "values": ["mail.example.com"] }""", "$.dns.zones.example.com.records[0].values[0]", "10 mail.example.com")]
    [InlineData("""{ "name": "c", "type": "CAA", "values": ["0 issue letsencrypt.org"] }""", "$.dns.zones.example.com.records[0].values[0]", "issue")]
    [InlineData("""{ "name": "v", "type": "AAAA", "values": ["192.0.2.1"] }""", "$.dns.zones.example.com.records[0].values[0]", "not an IPv6 address")]
    [InlineData("""{ "name": "w", "type": "A", "failover": { "primary": { "value": "192.0.2.1", "healthCheck": "nope" }, "secondary": { "value": "192.0.2.2" } } }""", "$.dns.zones.example.com.records[0].failover.primary.healthCheck", "no health check named 'nope'")]
    [InlineData("""{ "name": "w", "type": "A", "failover": { "primary": { "value": "192.0.2.1" } } }""", "$.dns.zones.example.com.records[0].failover", "needs both primary and secondary")]
    [InlineData("""{ "name": "w", "type": "TXT", "multivalue": [ { "value": "192.0.2.1" } ] }""", "$.dns.zones.example.com.records[0].type", "use type A or AAAA")]
    [InlineData("""{ "name": "@", "type": "ALIAS", "alias": "www" }""", "$.dns.zones.example.com.records[0].alias", "no A or AAAA record named 'www'")]
    [InlineData("""{ "name": "@", "type": "ALIAS", "edge": "edge-9" }""", "$.dns.zones.example.com.records[0].edge", "no edge named 'edge-9'")]
    [InlineData("""{ "name": "x", "type": "A", "values": [] }""", "$.dns.zones.example.com.records[0].values", "at least one value")]
    [InlineData("""{ "name": "x", "type": "A", "ttl": -1, "values": ["192.0.2.1"] }""", "$.dns.zones.example.com.records[0].ttl", "0 to 604800")]
    public void Parse_InvalidRecord_IsAnErrorAtItsPath(string record, string path, string message)
    {
        var errors = Errors(Config(record));

        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TwoRecordsForOneNameAndType_PointsAtTheFirst()
    {
        var errors = Errors(Config("""
            { "name": "www", "type": "A", "values": ["192.0.2.1"] },
            { "name": "www", "type": "CNAME", "values": ["other.example.net"] },
            { "name": "www", "type": "A", "values": ["192.0.2.2"] }
            """));

        Assert.Contains(errors, e => e.Path == "$.dns.zones.example.com.records[1]" && e.Message.Contains("CNAME cannot sit beside", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "$.dns.zones.example.com.records[2]" && e.Message.StartsWith("(www A) is also defined by records[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_BadHealthCheck_ReportsEverySetting()
    {
        var errors = Errors(Config("", """
            , "healthChecks": { "bad": { "type": "icmp", "target": "nowhere", "path": "healthz", "expectedStatus": "600",
                                          "intervalMs": 500, "timeoutMs": 0, "failureThreshold": 0, "recoveryThreshold": 11 } }
            """).Replace("""    "healthChecks": { "edge": { "target": "127.0.0.1:8081", "path": "/healthz", "intervalMs": 1000 } },""", "", StringComparison.Ordinal));

        var paths = errors.Select(e => e.Path).ToHashSet();
        foreach (var setting in new[] { "type", "target", "path", "expectedStatus", "intervalMs", "timeoutMs", "failureThreshold", "recoveryThreshold" })
        {
            Assert.Contains($"$.dns.healthChecks.bad.{setting}", paths);
        }
    }

    [Fact]
    public void Parse_NodesWithoutZones_IsAnError()
    {
        var errors = Errors("""
            { "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:9001" } }, "dns": { "nodes": { "ns1": {} } } }
            """);

        Assert.Contains(errors, e => e.Path == "$.dns.zones" && e.Message.Contains("no zone", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MisspeltSetting_SuggestsTheKnownOne()
    {
        var errors = Errors(Config("""{ "name": "x", "type": "A", "valuse": ["192.0.2.1"] }"""));

        Assert.Contains(errors, e => e.Path == "$.dns.zones.example.com.records[0].valuse" && e.Message.Contains("did you mean 'values'?", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_DnsListenerClashingWithAnother_IsAnError()
    {
        var json = Config("""{ "name": "x", "type": "A", "values": ["192.0.2.1"] }""").Replace("\"metricsListen\": \"127.0.0.1:5380\"", "\"metricsListen\": \"127.0.0.1:5353\"", StringComparison.Ordinal);

        var errors = Errors(json);

        Assert.Contains(errors, e => e.Path == "$.dns.nodes.ns1.metricsListen" && e.Message.Contains("also used by", StringComparison.Ordinal));
    }
}

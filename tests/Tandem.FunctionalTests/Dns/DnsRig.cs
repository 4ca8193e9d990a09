using System.Net;
using Tandem.Core.Configuration;
using Tandem.Dns;

namespace Tandem.FunctionalTests.Dns;

/// <summary>A DNS node on 127.0.0.1 port 0 serving <see cref="ZoneJson"/>, started through <see cref="DnsHost.StartAsync"/>.</summary>
public static class DnsRig
{
    /// <summary>Eight 200-character TXT strings: about 1.6 KB, more than a 1232-byte UDP answer.</summary>
    public static readonly string[] BigTxt = [.. Enumerable.Range(1, 8).Select(i => new string((char)('a' + i), 199) + i)];

    /// <summary>
    /// A zone with every record type, failover sets and a multivalue set whose checks all probe
    /// <paramref name="healthPort"/> ("both" has a check on each side: the both-regions-down case).
    /// </summary>
    public static string ZoneJson(int healthPort, int intervalMs = 1000, int threshold = 2) => $$"""
        {
          "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:9001" } },
          "edges": { "edge-1": { "httpListen": "127.0.0.7:8080", "adminListen": "127.0.0.7:8081", "adminToken": { "env": "UNUSED" } } },
          "dns": {
            "nodes": { "ns1": { "listen": "127.0.0.1:0", "metricsListen": "127.0.0.1:0" } },
            "healthChecks": {
              "primary-edge": { "type": "http", "target": "127.0.0.1:{{healthPort}}", "path": "/healthz", "bodyContains": "ok",
                                "intervalMs": {{intervalMs}}, "timeoutMs": 500, "failureThreshold": {{threshold}}, "recoveryThreshold": {{threshold}} },
              "tcp-edge": { "type": "tcp", "target": "127.0.0.1:{{healthPort}}", "intervalMs": {{intervalMs}}, "timeoutMs": 500, "failureThreshold": {{threshold}}, "recoveryThreshold": {{threshold}} }
            },
            "zones": {
              "example.test": {
                "nameServers": ["ns1.example.test", "ns2.example.test"],
                "soa": { "serial": 2026112601, "negativeTtl": 30 },
                "records": [
                  { "name": "ns1", "type": "A", "values": ["127.0.0.1"] },
                  { "name": "www", "type": "A", "ttl": 20,
                    "failover": { "primary": { "value": "192.0.2.1", "healthCheck": "primary-edge" }, "secondary": { "value": "198.51.100.1" } } },
                  { "name": "@", "type": "ALIAS", "alias": "www" },
                  { "name": "edge", "type": "ALIAS", "edge": "edge-1" },
                  { "name": "pool", "type": "A", "multivalue": [ { "value": "192.0.2.11", "healthCheck": "tcp-edge" }, { "value": "192.0.2.12" } ] },
                  { "name": "v6", "type": "AAAA", "values": ["2001:db8::1", "2001:db8::2"] },
                  { "name": "blog", "type": "CNAME", "values": ["www.example.test"] },
                  { "name": "@", "type": "TXT", "values": ["v=spf1 -all"] },
                  { "name": "@", "type": "MX", "values": ["10 mail.example.test", "20 mail2.example.test"] },
                  { "name": "@", "type": "CAA", "values": ["0 issue \"letsencrypt.org\""] },
                  { "name": "a.b.deep", "type": "A", "values": ["192.0.2.9"] },
                  { "name": "big", "type": "TXT", "values": [{{string.Join(", ", BigTxt.Select(t => $"\"{t}\""))}}] },
                  { "name": "both", "type": "A",
                    "failover": { "primary": { "value": "192.0.2.21", "healthCheck": "primary-edge" }, "secondary": { "value": "192.0.2.22", "healthCheck": "tcp-edge" } } },
                  { "name": "short", "type": "ALIAS", "alias": "www", "ttl": 7 }
                ]
              }
            }
          }
        }
        """;

    public static Task<DnsHost> StartAsync(string json)
    {
        var loaded = ConfigLoader.Parse(json, Path.Combine(Path.GetTempPath(), "tandem.json"));
        var options = DnsOptions.FromConfig(loaded, "ns1");
        return DnsHost.StartAsync(options);
    }

    /// <summary>
    /// The value of <c>tandem_dns_answers_total</c> for one target of a routed set, read from the
    /// node's /metrics; fails when the series is missing.
    /// </summary>
    public static async Task<long> AnswerCountAsync(DnsHost dns, string record, string target)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(dns.MetricsUrl, "/metrics"));
        var series = $"tandem_dns_answers_total{{record=\"{record}\",target=\"{target}\"}} ";
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(series, StringComparison.Ordinal));
        Assert.True(line is not null, $"no series {series}in:\n{text}");
        return long.Parse(line[series.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A port nothing listens on (bound and released), for a health target that is down.</summary>
    public static int ClosedPort()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

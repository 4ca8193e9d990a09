using System.Net;
using Tandem.Core.Configuration;

namespace Tandem.Dns;

/// <summary>Everything one DNS node needs, resolved from the config file.</summary>
public sealed class DnsOptions
{
    /// <summary>The node's name in the config (dns.nodes.NAME).</summary>
    public string Name { get; init; } = "dns";

    /// <summary>UDP and TCP address. Port 0 picks one free port for both.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, 5353);

    /// <summary>HTTP listener for /metrics, /status and /healthz.</summary>
    public IPEndPoint MetricsListen { get; init; } = new(IPAddress.Loopback, 5380);

    /// <summary>The validated config: zones, health checks and the edges they may name.</summary>
    public required TandemConfig Config { get; init; }

    /// <summary>Builds the options of DNS node <paramref name="name"/> in a loaded config.</summary>
    public static DnsOptions FromConfig(LoadedConfig loaded, string name)
    {
        var config = loaded.Config;
        if (!config.Dns.Nodes.TryGetValue(name, out var node))
        {
            var known = config.Dns.Nodes.Count == 0 ? "none; add \"dns\": { \"nodes\": { \"ns1\": { \"listen\": \"127.0.0.1:5353\" } } }" : string.Join(", ", config.Dns.Nodes.Keys);
            throw new ConfigException(loaded.SourcePath, [new ConfigError("$.dns.nodes", $"there is no DNS node named '{name}'; the file has: {known}")]);
        }

        if (config.Dns.Zones.Count == 0)
        {
            throw new ConfigException(loaded.SourcePath, [new ConfigError("$.dns.zones", "there are no zones to serve; add one, such as \"example.com\": { \"records\": [ ... ] }")]);
        }

        // Validation has checked both addresses.
        _ = ListenAddress.TryParse(node.Listen, out var listen, out _);
        _ = ListenAddress.TryParse(node.MetricsListen, out var metrics, out _);
        return new DnsOptions { Name = name, Listen = listen, MetricsListen = metrics, Config = config };
    }
}

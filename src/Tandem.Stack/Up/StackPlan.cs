using System.Net;
using System.Net.NetworkInformation;
using Tandem.Core.Configuration;

namespace Tandem.Stack.Up;

/// <summary>One address a node will listen on, and the setting (JSON path without "$.") that holds it.</summary>
public sealed record PlannedListener(string Setting, IPEndPoint Endpoint, bool AlsoUdp = false);

/// <summary>A node <c>tandem up</c> runs as a child process: <c>tandem ROLE NAME --config FILE</c>.</summary>
public sealed record PlannedNode(string Role, string Name, string? Region, IReadOnlyList<PlannedListener> Listeners, IReadOnlyDictionary<string, string> Urls, string? DataDir);

/// <summary>Which nodes of a config run on this machine, in start order (origins, edges, dns, monitors).</summary>
public sealed record StackPlan(IReadOnlyList<PlannedNode> Nodes, bool RunsEveryOrigin)
{
    public IEnumerable<PlannedNode> Role(string role) => Nodes.Where(n => n.Role == role);

    /// <summary>
    /// The nodes assigned to this machine: origins with a <c>server</c> section, and edges and DNS
    /// nodes and monitors whose every listen address is local (<paramref name="isLocal"/>).
    /// </summary>
    public static StackPlan For(LoadedConfig loaded, Func<IPAddress, bool> isLocal)
    {
        var config = loaded.Config;
        var nodes = new List<PlannedNode>();
        foreach (var (name, origin) in config.Origins)
        {
            if (origin.Server is not { } server)
            {
                continue;
            }

            var s3 = Parse(server.S3Listen);
            var web = Parse(server.WebsiteListen);
            nodes.Add(new PlannedNode("origin", name, origin.Region,
                [new($"origins.{name}.server.s3Listen", s3), new($"origins.{name}.server.websiteListen", web)],
                new Dictionary<string, string>(StringComparer.Ordinal) { ["s3"] = Url("http", s3), ["website"] = Url("http", web) },
                loaded.ResolvePath(server.DataDir)));
        }

        foreach (var (name, edge) in config.Edges)
        {
            var listeners = new List<PlannedListener>();
            var urls = new Dictionary<string, string>(StringComparer.Ordinal);
            if (edge.HttpListen is { } http)
            {
                listeners.Add(new($"edges.{name}.httpListen", Parse(http)));
                urls["http"] = Url("http", Parse(http));
            }

            if (edge.HttpsListen is { } https)
            {
                listeners.Add(new($"edges.{name}.httpsListen", Parse(https)));
                urls["https"] = Url("https", Parse(https));
            }

            listeners.Add(new($"edges.{name}.adminListen", Parse(edge.AdminListen)));
            urls["admin"] = Url("http", Parse(edge.AdminListen));
            if (listeners.All(l => isLocal(l.Endpoint.Address)))
            {
                nodes.Add(new PlannedNode("edge", name, null, listeners, urls, null));
            }
        }

        foreach (var (name, node) in config.Dns.Nodes)
        {
            var listen = Parse(node.Listen);
            var metrics = Parse(node.MetricsListen);
            if (isLocal(listen.Address) && isLocal(metrics.Address))
            {
                nodes.Add(new PlannedNode("dns", name, null,
                    [new($"dns.nodes.{name}.listen", listen, AlsoUdp: true), new($"dns.nodes.{name}.metricsListen", metrics)],
                    new Dictionary<string, string>(StringComparer.Ordinal) { ["dns"] = ListenAddress.Reachable(listen).ToString(), ["metrics"] = Url("http", metrics) },
                    null));
            }
        }

        foreach (var (name, monitor) in config.Monitor.Nodes)
        {
            var listen = Parse(monitor.Listen);
            if (isLocal(listen.Address))
            {
                nodes.Add(new PlannedNode("monitor", name, null, [new($"monitor.nodes.{name}.listen", listen)],
                    new Dictionary<string, string>(StringComparer.Ordinal) { ["dashboard"] = Url("http", listen) }, null));
            }
        }

        return new StackPlan(nodes, config.Origins.Values.All(o => o.Server is not null));
    }

    /// <summary>Loopback, a wildcard, or one of <paramref name="interfaceAddresses"/>.</summary>
    public static bool IsLocal(IPAddress address, IReadOnlyCollection<IPAddress> interfaceAddresses) =>
        IPAddress.IsLoopback(address) ||
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ||
        interfaceAddresses.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>Every unicast address of this machine's network interfaces.</summary>
    public static IReadOnlyCollection<IPAddress> InterfaceAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .ToHashSet();
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }

    private static IPEndPoint Parse(string value) =>
        ListenAddress.TryParse(value, out var endpoint, out _) ? endpoint : throw new ArgumentException($"'{value}' is not a listen address", nameof(value));

    /// <summary>A URL a client on this machine can use: a wildcard listener is reached on loopback.</summary>
    private static string Url(string scheme, IPEndPoint endpoint) => $"{scheme}://{ListenAddress.Reachable(endpoint)}";
}

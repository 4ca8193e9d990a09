using System.CommandLine;
using Tandem.Core.Configuration;
using Tandem.Dns;

namespace Tandem.Cli;

/// <summary><c>tandem dns NAME</c>: runs an authoritative name server with health-checked failover records.</summary>
internal static class DnsCommand
{
    public static Command Build() => RoleRunner.NamedNodeCommand("dns", """
            Run a DNS node: an authoritative name server for the zones in dns.zones, over UDP and TCP
            on one port, answering failover and multivalue records from its own health checks.
            Prints one line when it is ready; GET /metrics and /status on metricsListen; Ctrl-C or
            SIGTERM stops it.
            """,
        "DNS node to run, by its name in the config file (dns.nodes.NAME).",
        "Log listener and server events at information level.",
        RunAsync);

    internal static async Task<int> RunAsync(string configPath, string name, bool verbose, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        DnsOptions options;
        try
        {
            options = DnsOptions.FromConfig(ConfigLoader.Load(configPath), name);
        }
        catch (ConfigException ex)
        {
            await error.WriteLineAsync("tandem dns: " + ex.Message);
            return 2;
        }

        DnsHost host;
        try
        {
            host = await DnsHost.StartAsync(options, RoleRunner.Logging(verbose), cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (RoleRunner.IsBusyPort(ex))
        {
            await error.WriteLineAsync($"tandem dns: cannot listen ({ex.Message}); check $.dns.nodes.{name}.listen ({options.Listen}) and metricsListen ({options.MetricsListen}).");
            return 3;
        }

        var zones = string.Join(", ", options.Config.Dns.Zones.Keys);
        return await RoleRunner.ServeAsync(host, $"dns {name} ready: udp+tcp {host.Endpoint} metrics {host.MetricsUrl.ToString().TrimEnd('/')} zones {zones}", (h, ct) => h.WaitForShutdownAsync(ct), output, cancellationToken);
    }
}

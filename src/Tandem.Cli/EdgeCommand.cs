using System.CommandLine;
using Tandem.Core.Configuration;
using Tandem.Core.Hosting;
using Tandem.Edge;
using Tandem.Edge.Tls;

namespace Tandem.Cli;

/// <summary><c>tandem edge NAME</c>: runs a caching edge node in front of the origin groups.</summary>
internal static class EdgeCommand
{
    public static Command Build() => RoleRunner.NamedNodeCommand("edge",
        "Run an edge: Tandem's CDN node, caching in memory and failing over between the origins of each origin group.",
        "Edge to run, by its name in the config file (edges.NAME).",
        "Log listener and health events at information level.",
        RunAsync);

    internal static async Task<int> RunAsync(string configPath, string name, bool verbose, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        // Before any socket exists: the visitor path then runs on the socket threads (see InlineSocketCompletions).
        InlineSocketCompletions.EnableUnlessSet();
        EdgeOptions options;
        try
        {
            options = EdgeOptions.FromConfig(ConfigLoader.Load(configPath), name);
        }
        catch (ConfigException ex)
        {
            await error.WriteLineAsync("tandem edge: " + ex.Message);
            return 2;
        }

        EdgeHost host;
        try
        {
            host = await EdgeHost.StartAsync(options, RoleRunner.Logging(verbose), cancellationToken: cancellationToken);
        }
        catch (CertificateException ex)
        {
            await error.WriteLineAsync($"tandem edge: $.edges.{name}.tls: {ex.Message}");
            return 2;
        }
        catch (ConfigException ex)
        {
            await error.WriteLineAsync("tandem edge: " + ex.Message);
            return 2;
        }
        catch (Exception ex) when (RoleRunner.IsBusyPort(ex))
        {
            await error.WriteLineAsync($"tandem edge: cannot listen ({ex.Message}); check $.edges.{name}.httpListen, httpsListen and adminListen.");
            return 3;
        }

        return await RoleRunner.ServeAsync(host, $"edge {name} ready: http {host.HttpUrl?.ToString().TrimEnd('/') ?? "-"} https {host.HttpsUrl?.ToString().TrimEnd('/') ?? "-"} admin {host.AdminUrl.ToString().TrimEnd('/')}", (h, ct) => h.WaitForShutdownAsync(ct), output, cancellationToken);
    }
}

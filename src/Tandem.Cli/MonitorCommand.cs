using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using Tandem.Core.Configuration;
using Tandem.Monitor;
using Tandem.Monitor.Actions;
using Tandem.Monitor.Export;

namespace Tandem.Cli;

/// <summary>
/// <c>tandem monitor NAME</c>: runs a monitor node; <c>tandem monitor --export-prometheus DIR</c>
/// writes a Prometheus config and rules instead; <c>tandem alarms</c> asks a running monitor.
/// </summary>
internal static class MonitorCommand
{
    public static Command Build()
    {
        var name = new Argument<string?>("name") { Description = "Monitor to run, by its name in the config file (monitor.nodes.NAME).", Arity = ArgumentArity.ZeroOrOne };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log scrape rounds, alarm changes and listener events at information level." };
        var export = new Option<string?>("--export-prometheus") { HelpName = "DIR", Description = "Write DIR/prometheus.yml (a scrape job for every node) and DIR/rules.yml (the alarms as alerting rules), then exit." };
        var command = new Command("monitor", """
            Run a monitor: scrapes /metrics of every edge, origin and DNS node in the config every
            monitor.scrapeIntervalMs, keeps the series in SQLite (monitor.nodes.NAME.storePath),
            evaluates the alarms in monitor.alarms with CloudWatch's semantics and runs their actions,
            and serves the dashboard, /metrics, /healthz and /api/alarms on monitor.nodes.NAME.listen.
            Prints one line when it is ready; Ctrl-C or SIGTERM stops it.
            """);
        command.Arguments.Add(name);
        command.Options.Add(TandemCommands.ConfigOption);
        command.Options.Add(verbose);
        command.Options.Add(export);
        command.SetAction((parse, ct) =>
        {
            var config = parse.GetValue(TandemCommands.ConfigOption)!;
            if (parse.GetValue(export) is { } dir)
            {
                return Task.FromResult(Export(config, dir, Console.Out, Console.Error));
            }

            if (parse.GetValue(name) is not { } node)
            {
                Console.Error.WriteLine("tandem monitor: give the monitor's name (monitor.nodes.NAME), or --export-prometheus DIR");
                return Task.FromResult(2);
            }

            return RunAsync(config, node, parse.GetValue(verbose), Console.Out, Console.Error, ct);
        });
        return command;
    }

    internal static async Task<int> RunAsync(string configPath, string name, bool verbose, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        MonitorOptions options;
        try
        {
            options = MonitorOptions.FromConfig(ConfigLoader.Load(configPath), name);
        }
        catch (ConfigException ex)
        {
            await error.WriteLineAsync("tandem monitor: " + ex.Message);
            return 2;
        }

        MonitorHost host;
        try
        {
            host = await MonitorHost.StartAsync(options, RoleRunner.Logging(verbose), cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (RoleRunner.IsBusyPort(ex))
        {
            await error.WriteLineAsync($"tandem monitor: cannot listen ({ex.Message}); check $.monitor.nodes.{name}.listen ({options.Listen}).");
            return 3;
        }

        return await RoleRunner.ServeAsync(host,
            $"monitor {name} ready: http {host.Url.ToString().TrimEnd('/')} scraping {options.Targets.Count} node(s) every {options.ScrapeInterval.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s, {options.Alarms.Count} alarm(s), store {options.StorePath}",
            (h, ct) => h.WaitForShutdownAsync(ct), output, cancellationToken);
    }

    internal static int Export(string configPath, string dir, TextWriter output, TextWriter error)
    {
        try
        {
            foreach (var path in PrometheusExport.Write(ConfigLoader.Load(configPath).Config, dir))
            {
                output.WriteLine($"wrote {path}");
            }

            return 0;
        }
        catch (ConfigException ex)
        {
            error.WriteLine("tandem monitor: " + ex.Message);
            return 2;
        }
        catch (IOException ex)
        {
            error.WriteLine($"tandem monitor: cannot write to {dir}: {ex.Message}");
            return 1;
        }
    }

    public static Command BuildAlarms()
    {
        var history = new Option<bool>("--history") { Description = "Also list the state changes of the last 14 days, newest first." };
        var command = new Command("alarms", "List the alarms of the running monitor (monitor.nodes) with their state, since when, and why.");
        command.Options.Add(TandemCommands.ConfigOption);
        command.Options.Add(history);
        command.SetAction((parse, ct) => AlarmsAsync(parse.GetValue(TandemCommands.ConfigOption)!, parse.GetValue(history), Console.Out, Console.Error, ct));
        return command;
    }

    internal static async Task<int> AlarmsAsync(string configPath, bool history, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        LoadedConfig loaded;
        try
        {
            loaded = ConfigLoader.Load(configPath);
        }
        catch (ConfigException ex)
        {
            await error.WriteLineAsync("tandem alarms: " + ex.Message);
            return 2;
        }

        if (loaded.Config.Monitor.Nodes.Count == 0)
        {
            await error.WriteLineAsync($"tandem alarms: {configPath} has no monitor (monitor.nodes); add one and start it with `tandem monitor NAME`");
            return 2;
        }

        var failures = new List<string>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var (name, node) in loaded.Config.Monitor.Nodes)
        {
            var address = MonitorOptions.Reachable(node.Listen);
            try
            {
                var answer = await http.GetFromJsonAsync<AlarmsResponse>($"http://{address}/api/alarms?history={(history ? "true" : "false")}", AlarmNotifier.Json, cancellationToken);
                Print(answer!, output);
                return 0;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                failures.Add($"monitor {name} at http://{address}: {ex.Message}");
            }
        }

        await error.WriteLineAsync("tandem alarms: no monitor answered (" + string.Join("; ", failures) + "); start one with `tandem monitor NAME` or `tandem up`");
        return 1;
    }

    private static void Print(AlarmsResponse answer, TextWriter output)
    {
        var rows = answer.Alarms.Select(a => (a.Name, a.State, Since: a.Since.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture), a.Reason)).ToList();
        var w1 = Math.Max(5, rows.Select(r => r.Name.Length).DefaultIfEmpty().Max());
        var w2 = Math.Max(5, rows.Select(r => r.State.Length).DefaultIfEmpty().Max());
        output.WriteLine($"{"ALARM".PadRight(w1)}  {"STATE".PadRight(w2)}  {"SINCE",-20}  REASON");
        foreach (var r in rows)
        {
            output.WriteLine($"{r.Name.PadRight(w1)}  {r.State.PadRight(w2)}  {r.Since,-20}  {r.Reason}");
        }

        if (answer.History is { } history)
        {
            output.WriteLine();
            output.WriteLine("HISTORY (newest first)");
            foreach (var h in history)
            {
                output.WriteLine($"{h.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}  {h.Alarm}  {h.OldState} -> {h.NewState}  {h.Reason}");
            }
        }
    }
}

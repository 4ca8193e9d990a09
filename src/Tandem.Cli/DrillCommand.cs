using System.CommandLine;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.Drill;

namespace Tandem.Cli;

/// <summary>
/// <c>tandem drill [SCENARIO…]</c>: injects each outage of the primary under steady load through
/// the edge and measures what visitors saw. Exit codes: 0 every scenario passed, 1 a visitor-visible
/// error or a failed recovery, 2 a usage or config error, 130 interrupted (faults restored).
/// </summary>
internal static class DrillCommand
{
    /// <summary>
    /// How long Ctrl-C waits for the drill to restore what it changed (a killed origin's restart
    /// included) before the process exits anyway.
    /// </summary>
    internal static readonly TimeSpan TerminationTimeout = TimeSpan.FromSeconds(60);

    public static Command Build()
    {
        var scenarios = new Argument<string[]>("scenario")
        {
            Description = $"Scenarios to run, in order: {string.Join(", ", DrillScenarios.All)}. Default: all.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var stateDir = new Option<string>("--state-dir") { Description = "State folder of `tandem up` (stack file, holds, reports).", DefaultValueFactory = _ => StackFile.DefaultStateDir };
        var outage = new Option<double>("--outage") { Description = "Seconds each fault stays (at least until failover is seen, at most 20 s unless longer). Default 8.", DefaultValueFactory = _ => 8 };
        var concurrency = new Option<int>("--concurrency") { Description = "Visitors sending requests at once. Default 4.", DefaultValueFactory = _ => 4 };
        var edge = new Option<string?>("--edge") { Description = "Edge to send the load through (default: the first in the config)." };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of the table." };
        var width = DrillScenarios.Descriptions.Max(d => d.Name.Length);
        var command = new Command("drill", $"""
            The reference's "Testing Failover", automated and measured against a running stack: steady
            GET load through the edge (cached and uncached paths) while each scenario injects an outage
            of the primary origin, holds it, restores it, and waits for traffic to return to it.
            Prints a table, writes a JSON report to STATE/drills/, and exits 1 when a visitor saw an
            error or a recovery failed. Every fault is restored, also on Ctrl-C, and expires by itself.

            Scenarios, and what each injects:
            {string.Join("\n", DrillScenarios.Descriptions.Select(d => $"  {d.Name.PadRight(width)}  {d.Injects}"))}
            """);
        command.Arguments.Add(scenarios);
        command.Options.Add(TandemCommands.ConfigOption);
        command.Options.Add(stateDir);
        command.Options.Add(outage);
        command.Options.Add(concurrency);
        command.Options.Add(edge);
        command.Options.Add(json);
        command.SetAction(async (parse, ct) =>
        {
            var list = DrillScenarios.Parse(parse.GetValue(scenarios), out var problem);
            var seconds = parse.GetValue(outage);
            var visitors = parse.GetValue(concurrency);
            if (list is null || seconds is <= 0 or > 600 || visitors is < 1 or > 256)
            {
                await Console.Error.WriteLineAsync("tandem drill: " + (problem ?? (visitors is < 1 or > 256 ? "--concurrency must be 1 to 256" : "--outage must be more than 0 and at most 600 seconds")));
                return 2;
            }

            var state = parse.GetValue(stateDir)!;
            StackFile? stack;
            LoadedConfig loaded;
            try
            {
                stack = StackFile.TryRead(StackFile.PathIn(state));

                // Without --config, the config the stack in --state-dir runs from.
                var configResult = parse.GetResult(TandemCommands.ConfigOption);
                var configPath = (configResult is null || configResult.Implicit) && stack is not null ? stack.ConfigPath : parse.GetValue(TandemCommands.ConfigOption)!;
                loaded = ConfigLoader.Load(configPath);
            }
            catch (Exception ex) when (ex is ConfigException or FormatException)
            {
                await Console.Error.WriteLineAsync("tandem drill: " + ex.Message);
                return 2;
            }

            var options = new DrillOptions
            {
                Scenarios = list,
                StateDir = state,
                Outage = TimeSpan.FromSeconds(seconds),
                Concurrency = visitors,
                Edge = parse.GetValue(edge),
                Json = parse.GetValue(json),
            };
            return await new DrillRunner(loaded, stack, options, Console.Out, Console.Error).RunAsync(ct);
        });
        return command;
    }
}

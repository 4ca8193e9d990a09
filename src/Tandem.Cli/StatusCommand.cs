using System.CommandLine;
using System.Text.Json;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.Stack.Status;

namespace Tandem.Cli;

/// <summary>
/// <c>tandem status</c>: one screen of the whole deployment. Exit codes: 0 everything up, healthy
/// and in sync; 1 something down, unhealthy or drifting; 2 a config or usage error.
/// </summary>
internal static class StatusCommand
{
    public static Command Build()
    {
        var stateDir = new Option<string>("--state-dir")
        {
            Description = "State folder of `tandem up` (stack.json, drills/).",
            DefaultValueFactory = _ => StackFile.DefaultStateDir,
        };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON instead of tables." };
        var command = new Command("status", "Each origin's health and region, what each edge serves from, the live release and any drift, cache hit ratio and error rates, DNS health checks and the last drill; exit 1 when anything is down, unhealthy or drifting.");
        command.Options.Add(TandemCommands.ConfigOption);
        command.Options.Add(stateDir);
        command.Options.Add(json);
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(stateDir)!;
            LoadedConfig loaded;
            try
            {
                loaded = ConfigLoader.Load(ConfigPath(parse, dir));
            }
            catch (ConfigException ex)
            {
                await Console.Error.WriteLineAsync("tandem status: " + ex.Message);
                return 2;
            }

            var snapshot = await new StatusCollector(loaded, dir).CollectAsync(ct);
            await Console.Out.WriteAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(snapshot, StackFile.Json) + "\n"
                : StatusRenderer.Render(snapshot));
            return snapshot.ExitCode;
        });
        return command;
    }

    /// <summary>--config when given; else tandem.json here; else the config of the stack in --state-dir.</summary>
    private static string ConfigPath(ParseResult parse, string stateDir)
    {
        var given = parse.GetResult(TandemCommands.ConfigOption) is { Implicit: false };
        if (given || File.Exists("tandem.json"))
        {
            return parse.GetValue(TandemCommands.ConfigOption)!;
        }

        try
        {
            return StackFile.TryRead(StackFile.PathIn(stateDir))?.ConfigPath ?? parse.GetValue(TandemCommands.ConfigOption)!;
        }
        catch (FormatException)
        {
            return parse.GetValue(TandemCommands.ConfigOption)!;
        }
    }
}

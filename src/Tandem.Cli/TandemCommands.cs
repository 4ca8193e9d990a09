using System.CommandLine;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;

namespace Tandem.Cli;

/// <summary>The command tree. Each command parses its options and hands off to a library class.</summary>
internal static class TandemCommands
{
    internal static readonly Option<string> ConfigOption = new("--config", "-c")
    {
        Description = "Path of the config file (default: tandem.json in the current folder, else the config of the stack `tandem up` runs from here).",
        DefaultValueFactory = _ => DefaultConfigPath(),
    };

    /// <summary>
    /// tandem.json in the current folder when there is one; otherwise the config of a stack that
    /// <c>tandem up</c> runs from this folder (.tandem/stack.json), so that after <c>up</c> the
    /// other commands work without --config.
    /// </summary>
    internal static string DefaultConfigPath()
    {
        const string local = "tandem.json";
        if (File.Exists(local))
        {
            return local;
        }

        try
        {
            return StackFile.TryRead(StackFile.PathIn(StackFile.DefaultStateDir))?.ConfigPath ?? local;
        }
        catch (FormatException)
        {
            return local;
        }
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("Tandem keeps a static website online through the loss of a whole region: origins, edge, DNS, monitor, deploys and drills from one config file.");
        root.Subcommands.Add(ValidateCommand());
        root.Subcommands.Add(OriginCommand.Build());
        root.Subcommands.Add(KeygenCommand.Build());
        root.Subcommands.Add(EdgeCommand.Build());
        root.Subcommands.Add(InvalidateCommand.Build());
        root.Subcommands.Add(DnsCommand.Build());
        root.Subcommands.Add(MonitorCommand.Build());
        root.Subcommands.Add(MonitorCommand.BuildAlarms());
        root.Subcommands.Add(UpCommand.Build());
        root.Subcommands.Add(StatusCommand.Build());
        root.Subcommands.Add(DrillCommand.Build());
        foreach (var command in DeployCommands.Build())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    private static Command ValidateCommand()
    {
        var command = new Command("validate", "Check a config file and report every error at once, each with its path in the file.");
        command.Options.Add(ConfigOption);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(ConfigOption)!;
            return Validate(path, Console.Out, Console.Error);
        });
        return command;
    }

    internal static int Validate(string path, TextWriter output, TextWriter error)
    {
        try
        {
            var loaded = ConfigLoader.Load(path);
            output.WriteLine($"{path}: valid ({loaded.Config.Origins.Count} origin(s): {string.Join(", ", loaded.Config.Origins.Keys)})");
            return 0;
        }
        catch (ConfigException ex)
        {
            error.WriteLine(ex.Message);
            return 2;
        }
    }
}

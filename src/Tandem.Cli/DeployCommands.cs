using System.CommandLine;
using Tandem.Core.Configuration;
using Tandem.Deploy;

namespace Tandem.Cli;

/// <summary>
/// <c>tandem setup</c>, <c>deploy</c>, <c>verify</c>, <c>releases</c> and <c>rollback</c>: each
/// parses its options and hands off to a class of Tandem.Deploy. Exit codes: 0 done, 1 the
/// operation failed or found drift, 2 a config or usage error.
/// </summary>
internal static class DeployCommands
{
    private static readonly Argument<string?> FolderArgument = new("dir")
    {
        Description = "Site folder (default: site.root of the config).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static IEnumerable<Command> Build() => [Setup(), Deploy(), Verify(), Releases(), Rollback()];

    private static Command Setup()
    {
        var command = new Command("setup", "On every origin: create the bucket, turn on website hosting and apply the public-read policy (each only when missing), then deploy. Checks every origin before writing anything.");
        command.Options.Add(TandemCommands.ConfigOption);
        command.SetAction((parse, ct) => RunAsync(parse, "setup", async (loaded, output, progress) =>
        {
            var code = await new SetupRunner(loaded, output).SetupAsync(ct);
            return code != 0 ? code : (await new Deployer(loaded, new ReleaseEdgeFleet(loaded), output, progress).DeployAsync(new DeployOptions(), ct)).ExitCode;
        }));
        return command;
    }

    private static Command Deploy()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan per origin and write nothing." };
        var allowEmpty = new Option<bool>("--allow-empty") { Description = "Publish an empty folder (refused otherwise)." };
        var allowPartial = new Option<bool>("--allow-partial") { Description = "Make the release live on the origins that hold it even when others failed." };
        var origins = new Option<string[]>("--origin") { Description = "Deploy to this origin only (repeatable).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("deploy", "Sync the site folder to every origin as a new release, then make it live on every edge and origin at once.");
        command.Arguments.Add(FolderArgument);
        command.Options.Add(TandemCommands.ConfigOption);
        command.Options.Add(dryRun);
        command.Options.Add(allowEmpty);
        command.Options.Add(allowPartial);
        command.Options.Add(origins);
        command.SetAction((parse, ct) => RunAsync(parse, "deploy", async (loaded, output, progress) =>
        {
            var options = new DeployOptions
            {
                Folder = parse.GetValue(FolderArgument),
                DryRun = parse.GetValue(dryRun),
                AllowEmpty = parse.GetValue(allowEmpty),
                AllowPartial = parse.GetValue(allowPartial),
                Origins = parse.GetValue(origins) ?? [],
            };
            return (await new Deployer(loaded, new ReleaseEdgeFleet(loaded), output, progress).DeployAsync(options, ct)).ExitCode;
        }));
        return command;
    }

    private static Command Verify()
    {
        var repair = new Option<bool>("--repair") { Description = "Upload, copy or delete within the live release until every origin matches the folder." };
        var command = new Command("verify", "Compare the live release on every origin with the site folder and with each other; exit 1 on any difference.");
        command.Arguments.Add(FolderArgument);
        command.Options.Add(TandemCommands.ConfigOption);
        command.Options.Add(repair);
        command.SetAction((parse, ct) => RunAsync(parse, "verify", (loaded, output, _) =>
            new Verifier(loaded, output).VerifyAsync(parse.GetValue(FolderArgument), parse.GetValue(repair), ct)));
        return command;
    }

    private static Command Releases()
    {
        var command = new Command("releases", "List the releases kept on the origins: id, time, files, bytes, and where each is live.");
        command.Options.Add(TandemCommands.ConfigOption);
        command.SetAction((parse, ct) => RunAsync(parse, "releases", (loaded, output, _) =>
            new ReleaseAdmin(loaded, new ReleaseEdgeFleet(loaded), output).ListAsync(ct)));
        return command;
    }

    private static Command Rollback()
    {
        var id = new Argument<string?>("id") { Description = "Release to make live (default: the one before the live one).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("rollback", "Make an earlier release live again on every edge and origin at once; nothing is uploaded.");
        command.Arguments.Add(id);
        command.Options.Add(TandemCommands.ConfigOption);
        command.SetAction((parse, ct) => RunAsync(parse, "rollback", (loaded, output, _) =>
            new ReleaseAdmin(loaded, new ReleaseEdgeFleet(loaded), output).RollbackAsync(parse.GetValue(id), ct)));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, string verb, Func<LoadedConfig, TextWriter, DeployProgress, Task<int>> run)
    {
        try
        {
            var loaded = ConfigLoader.Load(parse.GetValue(TandemCommands.ConfigOption)!);
            return await run(loaded, Console.Out, new DeployProgress(Console.Error, interactive: !Console.IsErrorRedirected));
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync($"tandem {verb}: {ex.Message}");
            return 2;
        }
        catch (DeployException ex)
        {
            await Console.Error.WriteLineAsync($"tandem {verb}: {ex.Message}");
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"tandem {verb}: cancelled; nothing was made live");
            return 130;
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or HttpRequestException or IOException or FormatException)
        {
            // An origin failing outside the steps that report per origin (reading a manifest during
            // a rollback, say): one line, not a stack trace.
            await Console.Error.WriteLineAsync($"tandem {verb}: {ex.Message}");
            return 1;
        }
    }
}

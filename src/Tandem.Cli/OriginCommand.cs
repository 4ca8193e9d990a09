using System.CommandLine;
using Tandem.Core.Configuration;
using Tandem.Origin;
using Tandem.Origin.S3;

namespace Tandem.Cli;

/// <summary><c>tandem origin</c>: runs an S3-compatible bucket store with a website endpoint.</summary>
internal static class OriginCommand
{
    private static readonly Argument<string?> NameArgument = new("name")
    {
        Description = "Origin to run, by its name in the config file (for example primary). Omit it to run an origin from --data and the listen options alone.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> DataOption = new("--data") { Description = "Data directory (standalone mode, without a config file)." };
    private static readonly Option<string> S3ListenOption = new("--s3-listen") { Description = "S3 API address, host:port (standalone mode).", DefaultValueFactory = _ => "127.0.0.1:9000" };
    private static readonly Option<string> WebsiteListenOption = new("--website-listen") { Description = "Website endpoint address, host:port (standalone mode).", DefaultValueFactory = _ => "127.0.0.1:9001" };
    private static readonly Option<string?> BucketOption = new("--bucket") { Description = "Bucket served when the Host header names none (standalone mode)." };
    private static readonly Option<bool> VerboseOption = new("--verbose", "-v") { Description = "Log every listener event, not only warnings and errors." };

    public static Command Build()
    {
        var command = new Command("origin", """
            Run an origin: an S3-compatible bucket store on local disk with an S3 website endpoint.

            With NAME, the origin's settings come from the config file (origins.NAME.server).
            Without it, --data and the listen options describe it, and the access key comes from
            AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Writes always need a valid signature.
            Prints one line with both URLs when it is ready; Ctrl-C or SIGTERM stops it.
            """);
        command.Arguments.Add(NameArgument);
        command.Options.Add(TandemCommands.ConfigOption);
        command.Options.Add(DataOption);
        command.Options.Add(S3ListenOption);
        command.Options.Add(WebsiteListenOption);
        command.Options.Add(BucketOption);
        command.Options.Add(VerboseOption);
        command.SetAction((parse, ct) => RunAsync(parse, Console.Out, Console.Error, ct));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        OriginOptions options;
        string label;
        string s3Setting, websiteSetting;
        var name = parse.GetValue(NameArgument);
        try
        {
            if (name is not null)
            {
                var loaded = ConfigLoader.Load(parse.GetValue(TandemCommands.ConfigOption)!);
                options = OriginOptions.FromConfig(loaded, name);
                var region = loaded.Config.Origins[name].Region;
                label = region is null ? name : $"{name} ({region})";
                s3Setting = $"origins.{name}.server.s3Listen";
                websiteSetting = $"origins.{name}.server.websiteListen";
            }
            else
            {
                options = Standalone(parse);
                label = "origin";
                s3Setting = "--s3-listen";
                websiteSetting = "--website-listen";
            }
        }
        catch (ConfigException ex)
        {
            await error.WriteLineAsync("tandem origin: " + ex.Message);
            return 2;
        }

        var verbose = parse.GetValue(VerboseOption);
        OriginHost host;
        try
        {
            host = await OriginHost.StartAsync(options, RoleRunner.Logging(verbose), cancellationToken);
        }
        catch (Exception ex) when (RoleRunner.IsBusyPort(ex))
        {
            var which = ex.Message.Contains(options.S3Listen.ToString(), StringComparison.Ordinal) ? $"{options.S3Listen} ({s3Setting})" : $"{options.WebsiteListen} ({websiteSetting})";
            await error.WriteLineAsync($"tandem origin: cannot listen on {which}: {ex.Message}. Stop what uses the port or change the setting.");
            return 3;
        }

        return await RoleRunner.ServeAsync(host, $"{label} ready: s3 {host.S3Url.ToString().TrimEnd('/')} website {host.WebsiteUrl.ToString().TrimEnd('/')} data {options.DataDirectory}", (h, ct) => h.WaitForShutdownAsync(ct), output, cancellationToken);
    }

    private static OriginOptions Standalone(ParseResult parse)
    {
        var errors = new List<ConfigError>();
        var data = parse.GetValue(DataOption);
        if (string.IsNullOrWhiteSpace(data))
        {
            errors.Add(new ConfigError("--data", "give a data directory, or name an origin from the config file"));
        }

        if (!ListenAddress.TryParse(parse.GetValue(S3ListenOption), out var s3, out var p1))
        {
            errors.Add(new ConfigError("--s3-listen", p1));
        }

        if (!ListenAddress.TryParse(parse.GetValue(WebsiteListenOption), out var web, out var p2))
        {
            errors.Add(new ConfigError("--website-listen", p2));
        }

        S3Credentials? credentials = null;
        try
        {
            credentials = CredentialResolver.Resolve(new CredentialsConfig(), "environment", p => p);
        }
        catch (ConfigException ex)
        {
            errors.AddRange(ex.Errors);
        }

        if (errors.Count > 0)
        {
            throw new ConfigException("command line", errors);
        }

        return new OriginOptions
        {
            DataDirectory = Path.GetFullPath(data!),
            S3Listen = s3,
            WebsiteListen = web,
            Credentials = [credentials!],
            DefaultBucket = parse.GetValue(BucketOption),
            S3 = new S3ApiOptions(),
        };
    }
}

using System.CommandLine;
using Tandem.Core.Stack;
using Tandem.Stack.Up;

namespace Tandem.Cli;

/// <summary><c>tandem up [SITE_DIR]</c>: the whole stack on this machine, each node a supervised child process.</summary>
internal static class UpCommand
{
    private static readonly Argument<string?> SiteArgument = new("SITE_DIR")
    {
        Description = "Folder to serve (default: examples/site of the Tandem checkout; with --config: the config's site.root).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly Option<string?> ConfigOption = new("--config", "-c")
    {
        Description = "Run the nodes this config file assigns to this machine instead of the built-in stack.",
    };

    private static readonly Option<string> StateDirOption = new("--state-dir")
    {
        Description = "State folder: generated config, keys, data, holds, drills and stack.json.",
        DefaultValueFactory = _ => StackFile.DefaultStateDir,
    };

    private static readonly Option<int> PortOffsetOption = new("--port-offset")
    {
        Description = "Add N to every default port (when some are busy, or to run two stacks).",
    };

    private static readonly Option<string[]> DomainOption = new("--domain")
    {
        HelpName = "NAME",
        Description = "A name the site is served under, for the edge's ACME certificate (repeatable; needs --acme).",
    };

    private static readonly Option<string?> AcmeOption = new("--acme")
    {
        HelpName = "DIRECTORY",
        Description = "Get the edge's certificate for the --domain names from this ACME directory (URL, or letsencrypt / letsencrypt-staging) instead of making a self-signed one.",
    };

    private static readonly Option<string?> AcmeContactOption = new("--acme-contact")
    {
        HelpName = "MAILTO",
        Description = "Contact for the ACME account, such as mailto:ops@example.org.",
    };

    private static readonly Option<string?> AcmeCaRootOption = new("--acme-ca-root")
    {
        HelpName = "FILE",
        Description = "PEM file of a root to trust for the ACME directory's HTTPS (a private or test CA).",
    };

    public static Command Build()
    {
        var command = new Command("up", """
            Run a whole Tandem stack on this machine: a primary origin (region us-east) and a standby
            (us-west), an edge with the two as an origin group, a name server and a monitor; set up the buckets,
            deploy the site through the edge, print the URLs, and keep every node running.

            Ports (built-in stack): edge HTTP 8080, HTTPS 8443 (self-signed certificate in
            STATE/tls/, or over ACME: below), admin 8081; primary S3 9000, website 9001; standby S3 9010, website 9011;
            DNS 5353 (metrics 5380); monitor (dashboard) 9090. --port-offset N moves them all.
            A busy port is refused up front, naming it and the setting (exit 3).

            State (--state-dir, default .tandem): tandem.json (rewritten on every run; copy it and
            use --config to customise), credentials, admin-token, tls/, primary/, standby/, edges/,
            holds/, drills/ and stack.json (every endpoint, pid, region and where the keys are, for
            scripts and `tandem status`/`drill`). Running `up` again reuses the data.

            Each node is a child process (`tandem origin|edge|dns NAME --config FILE`); its output is
            shown prefixed with its name. A node that dies is restarted (0.5 s back-off doubling to
            30 s), unless a drill holds it down (STATE/holds/NAME.json). Ctrl-C stops every node.

            --domain NAME (repeatable) with --acme DIRECTORY: the edge gets its certificate for
            the names from that ACME directory (letsencrypt, letsencrypt-staging or a URL; a private
            CA's root with --acme-ca-root) instead of the self-signed one, kept in
            STATE/edges/edge-1/acme/. The CA checks HTTP-01 on the edge's HTTP port: a public CA
            connects to port 80 of each name, so forward port 80 to 127.0.0.1:8080 (plus any
            --port-offset). The two go together, and not with --config (give its edge an acme
            section); a misuse is exit 2.

            --config FILE runs the nodes the file assigns to this machine: origins with a server
            section, edges and DNS nodes whose listen addresses are local; it sets up and deploys
            only when every origin of the file runs here.
            """);
        command.Arguments.Add(SiteArgument);
        command.Options.Add(ConfigOption);
        command.Options.Add(StateDirOption);
        command.Options.Add(PortOffsetOption);
        command.Options.Add(DomainOption);
        command.Options.Add(AcmeOption);
        command.Options.Add(AcmeContactOption);
        command.Options.Add(AcmeCaRootOption);
        command.Validators.Add(result =>
        {
            var offset = result.GetValue(PortOffsetOption);
            if (offset is < 0 or > 50000)
            {
                result.AddError("--port-offset must be from 0 to 50000");
            }
        });
        command.SetAction((parse, ct) =>
        {
            var options = new UpOptions
            {
                SiteDir = parse.GetValue(SiteArgument),
                ConfigPath = parse.GetValue(ConfigOption),
                StateDir = parse.GetValue(StateDirOption)!,
                PortOffset = parse.GetValue(PortOffsetOption),
                TandemHome = Environment.GetEnvironmentVariable("TANDEM_HOME"),
                Domains = parse.GetValue(DomainOption) ?? [],
                AcmeDirectory = parse.GetValue(AcmeOption),
                AcmeContact = parse.GetValue(AcmeContactOption),
                AcmeCaRoot = parse.GetValue(AcmeCaRootOption),
            };
            var launcher = ChildLauncher.ForCurrentProcess(typeof(UpCommand).Assembly.Location);
            return new UpRunner(options, launcher, KeygenCommand.Generate, loaded => new ReleaseEdgeFleet(loaded), Console.Out, Console.Error, TimeProvider.System).RunAsync(ct);
        });
        return command;
    }
}

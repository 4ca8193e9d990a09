using System.CommandLine;
using Tandem.Core.Configuration;
using Tandem.Edge.Admin;

namespace Tandem.Cli;

/// <summary><c>tandem invalidate PATH…</c>: drops paths from every edge's cache and waits until all have.</summary>
internal static class InvalidateCommand
{
    private static readonly Argument<string[]> PathsArgument = new("paths")
    {
        Description = "Paths to drop, such as /index.html; a trailing * drops a prefix (/css/*), /* everything.",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Command Build()
    {
        var command = new Command("invalidate", "Drop paths from the cache of every edge in the config; returns when all edges have applied it.");
        command.Arguments.Add(PathsArgument);
        command.Options.Add(TandemCommands.ConfigOption);
        command.SetAction(async (parse, ct) =>
        {
            LoadedConfig loaded;
            try
            {
                loaded = ConfigLoader.Load(parse.GetValue(TandemCommands.ConfigOption)!);
            }
            catch (ConfigException ex)
            {
                await Console.Error.WriteLineAsync("tandem invalidate: " + ex.Message);
                return 2;
            }

            var paths = parse.GetValue(PathsArgument)!;
            var bad = paths.Where(p => !p.StartsWith('/')).ToList();
            if (bad.Count > 0)
            {
                await Console.Error.WriteLineAsync($"tandem invalidate: every path must start with '/': {string.Join(", ", bad)}");
                return 2;
            }

            if (loaded.Config.Edges.Count == 0)
            {
                await Console.Error.WriteLineAsync("tandem invalidate: the config has no edges ($.edges)");
                return 2;
            }

            var results = await InvalidationClient.InvalidateAsync(loaded, paths, ct);
            foreach (var r in results)
            {
                Console.Out.WriteLine(r.Ok
                    ? $"{r.Edge}: invalidated {r.Removed} cached entr{(r.Removed == 1 ? "y" : "ies")} in {r.Elapsed.TotalMilliseconds:F0} ms"
                    : $"{r.Edge}: FAILED: {r.Error}");
            }

            return results.All(r => r.Ok) ? 0 : 1;
        });
        return command;
    }
}

using System.CommandLine;

namespace Tandem.Cli;

/// <summary><c>tandem origin</c>: runs an S3-compatible bucket store with a website endpoint.</summary>
internal static class OriginCommand
{
    public static Command Build()
    {
        var command = new Command("origin", "Run an origin: an S3-compatible bucket store on local disk with an S3 website endpoint.");
        command.Options.Add(TandemCommands.ConfigOption);
        command.SetAction(_ =>
        {
            Console.Error.WriteLine("tandem origin: not wired yet");
            return 1;
        });
        return command;
    }
}

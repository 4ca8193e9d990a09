using System.CommandLine;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Tandem.Core.Stack;

namespace Tandem.Cli;

/// <summary>What every long-running role command (origin, edge, dns) does the same way.</summary>
internal static class RoleRunner
{
    /// <summary>
    /// A role command run by node name: <c>tandem ROLE NAME [--config F] [--verbose]</c>, whose
    /// action gets the config path, the name and the verbose flag.
    /// </summary>
    public static Command NamedNodeCommand(string role, string description, string nameDescription, string verboseDescription,
        Func<string, string, bool, TextWriter, TextWriter, CancellationToken, Task<int>> run)
    {
        var name = new Argument<string>("name") { Description = nameDescription };
        var verbose = new Option<bool>("--verbose", "-v") { Description = verboseDescription };
        var command = new Command(role, description);
        command.Arguments.Add(name);
        command.Options.Add(TandemCommands.ConfigOption);
        command.Options.Add(verbose);
        command.SetAction((parse, ct) => run(parse.GetValue(TandemCommands.ConfigOption)!, parse.GetValue(name)!, parse.GetValue(verbose), Console.Out, Console.Error, ct));
        return command;
    }

    /// <summary>One line per event on the console; warnings only unless --verbose.</summary>
    public static Action<ILoggingBuilder> Logging(bool verbose) => logging => logging
        .AddSimpleConsole(o => o.SingleLine = true)
        .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);

    /// <summary>True when starting a listener failed because its address is taken (exit code 3).</summary>
    public static bool IsBusyPort(Exception ex) =>
        ex is SocketException ||
        (ex is IOException && (ex.InnerException is SocketException || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// Prints the ready line, serves until Ctrl-C or SIGTERM (or, for a node started by
    /// <c>tandem up</c>, until that supervisor is gone), then stops the host; exit code 0.
    /// </summary>
    public static async Task<int> ServeAsync<THost>(THost host, string readyLine, Func<THost, CancellationToken, Task> waitForShutdown, TextWriter output, CancellationToken cancellationToken)
        where THost : IAsyncDisposable
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = WatchSupervisorAsync(stop);
        await using (host)
        {
            await output.WriteLineAsync(readyLine);
            await output.FlushAsync(cancellationToken);
            try
            {
                await waitForShutdown(host, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await stop.CancelAsync();
        await watch;
        return 0;
    }

    /// <summary>
    /// A node started by <c>tandem up</c> (TANDEM_SUPERVISOR_PID set) stops by itself, cleanly,
    /// within a second of that process disappearing, so a kill -9 of the supervisor leaves no
    /// orphans holding the stack's ports.
    /// </summary>
    private static async Task WatchSupervisorAsync(CancellationTokenSource stop)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(Tandem.Stack.Up.ChildProcess.SupervisorPidVariable), out var pid) || pid <= 0)
        {
            return;
        }

        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stop.Token);
                if (!ProcessSignals.Exists(pid))
                {
                    await stop.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

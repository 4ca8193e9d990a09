using System.CommandLine;
using Tandem.Cli;

var parse = TandemCommands.Build().Parse(args);

// Ctrl-C cancels a command and waits for it to finish before exiting anyway: `up` stops its
// children (up to 10 s before SIGKILL) and `drill` restores what it changed (a killed origin's
// restart included); the default 2 s would end the process half-way through either.
return await parse.InvokeAsync(parse.CommandResult.Command.Name switch
{
    "up" => new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) },
    "drill" => new InvocationConfiguration { ProcessTerminationTimeout = DrillCommand.TerminationTimeout },
    _ => new InvocationConfiguration(),
});

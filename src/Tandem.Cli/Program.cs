using System.CommandLine;
using Tandem.Cli;

var parse = TandemCommands.Build().Parse(args);

// `up` stops its children on Ctrl-C (up to 10 s before SIGKILL); the default 2 s would end the
// process while they are still stopping.
return await parse.InvokeAsync(parse.CommandResult.Command.Name == "up"
    ? new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) }
    : new InvocationConfiguration());

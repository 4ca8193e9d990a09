using Tandem.Cli;

return await TandemCommands.Build().Parse(args).InvokeAsync();

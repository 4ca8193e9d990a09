using System.Diagnostics;

namespace Tandem.Stack.Up;

/// <summary>
/// How to start this same executable again: the apphost (<c>tandem</c>) itself, or
/// <c>dotnet tandem.dll</c> when the current process is the dotnet host.
/// </summary>
public sealed record ChildLauncher(string FileName, IReadOnlyList<string> PrefixArguments)
{
    /// <summary>The running executable; <paramref name="entryAssemblyPath"/> is the CLI's dll, used under the dotnet host.</summary>
    public static ChildLauncher ForCurrentProcess(string entryAssemblyPath)
    {
        var path = Environment.ProcessPath ?? "dotnet";
        var isDotnetHost = Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);
        return isDotnetHost ? new ChildLauncher(path, [entryAssemblyPath]) : new ChildLauncher(path, []);
    }
}

/// <summary>
/// One node as a child process: <c>tandem ROLE NAME --config FILE</c>, its output forwarded line by
/// line with a "[name] " prefix, ready when it prints a line containing " ready: ".
/// </summary>
public sealed class ChildProcess : IDisposable
{
    /// <summary>Tells a role process to stop by itself when this supervisor process is gone.</summary>
    public const string SupervisorPidVariable = "TANDEM_SUPERVISOR_PID";

    private const int KeptStderrLines = 15;

    private readonly Process _process;
    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _lastStderr = new();
    private readonly Task _pumps;

    private ChildProcess(Process process, string name, TextWriter output)
    {
        _process = process;
        Pid = process.Id;
        var prefix = $"[{name}] ";
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput, prefix, output, stderr: false), PumpAsync(process.StandardError, prefix, output, stderr: true));
        Exited = ExitAsync();
    }

    public int Pid { get; }

    /// <summary>True once the ready line was printed; false when the process exited before it.</summary>
    public Task<bool> Ready => _ready.Task;

    /// <summary>Completes with the exit status (128+N for a signal) once the process is gone and its output read.</summary>
    public Task<int> Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    /// <summary>The last lines the process wrote to stderr (for a start that failed).</summary>
    public IReadOnlyList<string> LastStderr
    {
        get
        {
            lock (_lastStderr)
            {
                return [.. _lastStderr];
            }
        }
    }

    public static ChildProcess Start(ChildLauncher launcher, PlannedNode node, string configPath, TextWriter output)
    {
        var psi = new ProcessStartInfo(launcher.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in launcher.PrefixArguments.Concat([node.Role, node.Name, "--config", configPath]))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment[SupervisorPidVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {launcher.FileName}");
        return new ChildProcess(process, node.Name, output);
    }

    /// <summary>Sends a POSIX signal; false when the process is gone.</summary>
    public bool Signal(int signal) => !HasExited && Core.Stack.ProcessSignals.Send(Pid, signal);

    private async Task<int> ExitAsync()
    {
        await _process.WaitForExitAsync();
        await _pumps;
        _ready.TrySetResult(false);
        return _process.ExitCode;
    }

    private async Task PumpAsync(StreamReader reader, string prefix, TextWriter output, bool stderr)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            if (stderr)
            {
                lock (_lastStderr)
                {
                    _lastStderr.Enqueue(line);
                    if (_lastStderr.Count > KeptStderrLines)
                    {
                        _lastStderr.Dequeue();
                    }
                }
            }
            else if (line.Contains(" ready: ", StringComparison.Ordinal))
            {
                _ready.TrySetResult(true);
            }

            output.WriteLine(prefix + line);
        }
    }

    public void Dispose() => _process.Dispose();
}

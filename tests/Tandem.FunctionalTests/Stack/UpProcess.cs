using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tandem.Core.Stack;
using Tandem.FunctionalTests.Infrastructure;
using Tandem.Stack.Up;

namespace Tandem.FunctionalTests.Stack;

/// <summary>
/// A real `tandem up` child process in a folder of its own: its output lines as they come, its
/// stack.json, signals; Dispose kills it and every node it started, whatever state it is in.
/// </summary>
public sealed class UpProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly Task _pumps;
    private readonly HashSet<int> _seenPids = [];

    private UpProcess(Process process, string workingDirectory, string stateDir)
    {
        _process = process;
        WorkingDirectory = workingDirectory;
        StateDir = Path.GetFullPath(stateDir, workingDirectory);
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput, _stdout), PumpAsync(process.StandardError, _stderr));
    }

    public string WorkingDirectory { get; }

    public int Pid => _process.Id;

    /// <summary>The state folder: --state-dir when given, else .tandem.</summary>
    public string StateDir { get; }

    public string StdOut
    {
        get
        {
            lock (_stdout)
            {
                return string.Join('\n', _stdout);
            }
        }
    }

    public string StdErr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    /// <summary>The Tandem checkout (the folder holding Tandem.slnx), for TANDEM_HOME.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Tandem.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Tandem.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A --port-offset whose nine ports (and UDP for DNS) are all free now.</summary>
    public static int FreePortOffset()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var offset = Random.Shared.Next(100, 400) * 100 + Random.Shared.Next(0, 9);
            if (UpTemplate.DefaultPorts.All(p => IsFree(p.Port + offset)))
            {
                return offset;
            }
        }

        throw new InvalidOperationException("no free port offset found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public static UpProcess Start(string workingDirectory, params string[] args) => Start("dotnet", [OriginProcess.CliPath, "up", .. args], workingDirectory, args);

    /// <summary>`./tandem up ARGS` through the checkout's wrapper script, exactly as a user runs it.</summary>
    public static UpProcess StartWrapper(string workingDirectory, params string[] args) => Start(Wrapper, ["up", .. args], workingDirectory, args);

    /// <summary>The checkout's ./tandem script.</summary>
    public static string Wrapper => Path.Combine(RepoRoot, "tandem");

    private static UpProcess Start(string program, string[] arguments, string workingDirectory, string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["TANDEM_HOME"] = RepoRoot;
        var stateDir = args.SkipWhile(a => a != "--state-dir").Skip(1).FirstOrDefault() ?? StackFile.DefaultStateDir;
        return new UpProcess(Process.Start(psi)!, workingDirectory, stateDir);
    }

    /// <summary>Waits until a stdout line contains <paramref name="text"/>; fails with the output so far.</summary>
    public async Task WaitForLineAsync(string text, TimeSpan timeout, int occurrence = 1)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_stdout)
            {
                if (_stdout.Count(l => l.Contains(text, StringComparison.Ordinal)) >= occurrence)
                {
                    return;
                }
            }

            if (_process.HasExited)
            {
                await _pumps;
                break;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"`tandem up` printed no line with '{text}' (x{occurrence}) within {timeout.TotalSeconds:0} s.\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
    }

    public StackFile ReadStack()
    {
        var stack = StackFile.TryRead(StackFile.PathIn(StateDir)) ?? throw new InvalidOperationException("no stack.json");
        lock (_seenPids)
        {
            _seenPids.UnionWith(stack.Nodes.Where(n => n.Pid is not null).Select(n => n.Pid!.Value));
        }

        return stack;
    }

    /// <summary>Polls stack.json until <paramref name="condition"/> holds for it.</summary>
    public async Task<StackFile> WaitForStackAsync(Func<StackFile, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                var stack = ReadStack();
                if (condition(stack))
                {
                    return stack;
                }

                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"stack.json never showed {what}:\n{File.ReadAllText(StackFile.PathIn(StateDir))}\nstdout:\n{StdOut}");
                }
            }
            catch (Exception ex) when (ex is IOException or FormatException or InvalidOperationException && DateTime.UtcNow <= deadline)
            {
            }

            await Task.Delay(100);
        }
    }

    public void Signal(int signal) => ProcessSignals.Send(_process.Id, signal);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"`tandem up` (pid {_process.Id}) did not exit within {timeout.TotalSeconds:0} s:\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
        }

        await _pumps;
        return _process.ExitCode;
    }

    public IReadOnlyCollection<int> SeenPids
    {
        get
        {
            lock (_seenPids)
            {
                return [.. _seenPids];
            }
        }
    }

    /// <summary>True when the process is still one of the stack's nodes (not a reused pid).</summary>
    private bool IsTandemNode(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains(StateDir, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task PumpAsync(StreamReader reader, List<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        // Nodes that outlived the tree kill (restarted after it was listed): by the pids seen.
        foreach (var pid in SeenPids.Where(IsTandemNode))
        {
            ProcessSignals.Send(pid, ProcessSignals.SigKill);
        }

        _process.Dispose();
    }
}

using Tandem.Core.Stack;

namespace Tandem.Stack.Up;

/// <summary>Why a node did not come up.</summary>
public sealed record StartFailure(PlannedNode Node, string Reason, IReadOnlyList<string> LastStderr, int? ExitCode);

/// <summary>
/// Runs the nodes of a stack as child processes: starts them, keeps <c>stack.json</c> current,
/// restarts one that dies (with back-off, or when a drill's hold ends), and stops them all.
/// </summary>
public sealed class Supervisor(ChildLauncher launcher, string configPath, string stateDir, TextWriter output, TimeProvider time, Func<List<StackNode>, StackFile> stackFile) : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan HoldPoll = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly List<Slot> _slots = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];

    private sealed class Slot(PlannedNode node, TimeProvider time)
    {
        public PlannedNode Node { get; } = node;
        public ChildProcess? Child { get; set; }
        public string State { get; set; } = "starting";
        public int Restarts { get; set; }
        public RestartBackOff BackOff { get; } = new(time);
    }

    public string StackPath => StackFile.PathIn(stateDir);

    /// <summary>Starts <paramref name="nodes"/> together and waits until each printed its ready line; null when all did.</summary>
    public async Task<StartFailure?> StartAsync(IEnumerable<PlannedNode> nodes, CancellationToken cancellationToken)
    {
        var slots = nodes.Select(n => new Slot(n, time)).ToList();
        lock (_lock)
        {
            _slots.AddRange(slots);
        }

        foreach (var slot in slots)
        {
            slot.Child = ChildProcess.Start(launcher, slot.Node, configPath, output);
        }

        WriteStack();
        var failures = await Task.WhenAll(slots.Select(s => WaitReadyAsync(s, cancellationToken)));
        WriteStack();
        return failures.FirstOrDefault(f => f is not null);
    }

    private async Task<StartFailure?> WaitReadyAsync(Slot slot, CancellationToken cancellationToken)
    {
        var child = slot.Child!;
        var ready = false;
        try
        {
            ready = await child.Ready.WaitAsync(ReadyTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            return new StartFailure(slot.Node, $"not ready within {ReadyTimeout.TotalSeconds:0} s", child.LastStderr, null);
        }
        catch (OperationCanceledException)
        {
            return new StartFailure(slot.Node, "cancelled", [], null);
        }

        if (!ready)
        {
            var code = await child.Exited;
            return new StartFailure(slot.Node, $"exited ({RestartPolicy.DescribeExit(code)}) before it was ready", child.LastStderr, code);
        }

        lock (_lock)
        {
            slot.State = "running";
            slot.BackOff.Ready();
        }

        return null;
    }

    /// <summary>From now on, a node that dies is restarted (or held) until <see cref="StopAsync"/>.</summary>
    public void Supervise()
    {
        lock (_lock)
        {
            foreach (var slot in _slots)
            {
                _loops.Add(Task.Run(() => SuperviseAsync(slot, _stopping.Token)));
            }
        }
    }

    private async Task SuperviseAsync(Slot slot, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var child = slot.Child!;
                var exited = await Task.WhenAny(child.Exited, Task.Delay(HoldPoll, time, stopping)) == child.Exited;
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                var now = time.GetUtcNow();
                var hold = NodeHold.TryRead(stateDir, slot.Node.Name);
                if (!exited)
                {
                    WhileAlive(slot, child, hold, now);
                    continue;
                }

                // A Ctrl-C at a terminal reaches the children too: give the supervisor's own
                // signal handler a moment before taking the exit for a crash.
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, stopping);
                var code = await child.Exited;
                var delay = RestartPolicy.AfterExit(hold, now, slot.BackOff);
                if (delay is null)
                {
                    output.WriteLine($"[{slot.Node.Name}] exited ({RestartPolicy.DescribeExit(code)}); held by a drill ({hold!.Kind}) until {hold.Until.UtcDateTime:HH:mm:ss} UTC; not restarting until the hold ends");
                    SetState(slot, "held", always: true);
                    await WaitForHoldToEndAsync(slot, stopping);
                    slot.BackOff.Reset();
                    delay = TimeSpan.Zero;
                    output.WriteLine($"[{slot.Node.Name}] hold ended; restarting");
                }
                else if (delay == TimeSpan.Zero)
                {
                    RemoveHold(slot);
                    output.WriteLine($"[{slot.Node.Name}] exited ({RestartPolicy.DescribeExit(code)}); its hold expired; restarting");
                }
                else
                {
                    output.WriteLine($"[{slot.Node.Name}] exited ({RestartPolicy.DescribeExit(code)}); restarting in {RestartPolicy.DescribeDelay(delay.Value)}");
                }

                SetState(slot, "restarting", always: true);
                await Task.Delay(delay.Value, time, stopping);
                child.Dispose();
                await RestartAsync(slot, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private void WhileAlive(Slot slot, ChildProcess child, NodeHold? hold, DateTimeOffset now)
    {
        switch (RestartPolicy.ForHold(hold, processAlive: true, now))
        {
            case HoldAction.Keep when hold!.Kind == "frozen":
                SetState(slot, "held");
                break;
            case HoldAction.ResumeAndExpire:
                child.Signal(ProcessSignals.SigCont);
                RemoveHold(slot);
                output.WriteLine($"[{slot.Node.Name}] frozen hold expired; sent SIGCONT");
                SetState(slot, "running");
                break;
            case HoldAction.Expired:
                RemoveHold(slot);
                SetState(slot, "running");
                break;
            case HoldAction.None when slot.State == "held":
                SetState(slot, "running");
                break;
        }
    }

    private async Task WaitForHoldToEndAsync(Slot slot, CancellationToken stopping)
    {
        while (true)
        {
            await Task.Delay(HoldPoll, time, stopping);
            var hold = NodeHold.TryRead(stateDir, slot.Node.Name);
            switch (RestartPolicy.ForHold(hold, processAlive: false, time.GetUtcNow()))
            {
                case HoldAction.Keep:
                    continue;
                case HoldAction.None:
                    return;
                default:
                    RemoveHold(slot);
                    return;
            }
        }
    }

    private async Task RestartAsync(Slot slot, CancellationToken stopping)
    {
        ChildProcess child;
        lock (_lock)
        {
            // Under the lock StopAsync takes its list of children with, so a restart racing a
            // stop either is in that list or does not happen.
            stopping.ThrowIfCancellationRequested();
            child = ChildProcess.Start(launcher, slot.Node, configPath, output);
            slot.Child = child;
            slot.Restarts++;
        }

        SetState(slot, "restarting");
        bool ready;
        try
        {
            ready = await child.Ready.WaitAsync(ReadyTimeout, stopping);
        }
        catch (TimeoutException)
        {
            output.WriteLine($"[{slot.Node.Name}] not ready within {ReadyTimeout.TotalSeconds:0} s; stopping it");
            child.Signal(ProcessSignals.SigKill);
            return;
        }

        if (ready)
        {
            slot.BackOff.Ready();
            SetState(slot, "running");
        }
    }

    private void RemoveHold(Slot slot)
    {
        try
        {
            NodeHold.Remove(stateDir, slot.Node.Name);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Sets a node's state and rewrites stack.json (with the pid of its child while that lives).</summary>
    private void SetState(Slot slot, string state, bool always = false)
    {
        lock (_lock)
        {
            if (slot.State == state && !always)
            {
                return;
            }

            slot.State = state;
        }

        WriteStack();
    }

    /// <summary>The nodes as stack.json lists them.</summary>
    public List<StackNode> Snapshot()
    {
        lock (_lock)
        {
            return _slots.Select(s => new StackNode
            {
                Role = s.Node.Role,
                Name = s.Node.Name,
                Region = s.Node.Region,
                Pid = s.Child is { HasExited: false } child ? child.Pid : null,
                State = s.State,
                Restarts = s.Restarts,
                Urls = new Dictionary<string, string>(s.Node.Urls, StringComparer.Ordinal),
                DataDir = s.Node.DataDir,
            }).ToList();
        }
    }

    /// <summary>Rewrites stack.json (whole, atomically) unless the stack is stopping.</summary>
    public void WriteStack()
    {
        lock (_lock)
        {
            if (!_stopping.IsCancellationRequested)
            {
                stackFile(Snapshot()).Write(StackPath);
            }
        }
    }

    /// <summary>SIGCONT and SIGTERM to every child, SIGKILL after 10 s; removes stack.json.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        List<ChildProcess> children;
        lock (_lock)
        {
            children = _slots.Select(s => s.Child).OfType<ChildProcess>().Where(c => !c.HasExited).ToList();
        }

        foreach (var child in children)
        {
            child.Signal(ProcessSignals.SigCont);
            child.Signal(ProcessSignals.SigTerm);
        }

        var all = Task.WhenAll(children.Select(c => c.Exited));
        if (await Task.WhenAny(all, Task.Delay(StopTimeout)) != all)
        {
            foreach (var child in children.Where(c => !c.HasExited))
            {
                output.WriteLine($"[{_slots.First(s => s.Child == child).Node.Name}] did not stop within {StopTimeout.TotalSeconds:0} s; killing it");
                child.Signal(ProcessSignals.SigKill);
            }

            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5)));
        }

        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
        }

        lock (_lock)
        {
            File.Delete(StackPath);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync();
        }

        lock (_lock)
        {
            foreach (var slot in _slots)
            {
                slot.Child?.Dispose();
            }
        }

        _stopping.Dispose();
    }
}

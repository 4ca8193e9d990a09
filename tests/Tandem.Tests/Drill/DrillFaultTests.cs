using System.Diagnostics;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.Drill;

namespace Tandem.Tests.Drill;

/// <summary>The supervisor's side of kill and both-down, played by the test: holds, SIGKILL, waiting for the restart.</summary>
public sealed class DrillFaultTests : IDisposable
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "tandem-drill-" + Guid.NewGuid().ToString("N"));

    public DrillFaultTests() => Directory.CreateDirectory(_state);

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private void WriteStack(params StackNode[] nodes) => new StackFile
    {
        ConfigPath = "/nowhere/tandem.json",
        StateDir = _state,
        SupervisorPid = Environment.ProcessId,
        StartedAt = DateTimeOffset.UtcNow,
        Nodes = [.. nodes],
    }.Write(StackFile.PathIn(_state));

    private static Process Sleeper() => Process.Start("sleep", "60");

    [Fact]
    public async Task Kill_HoldsDownAndKills_RestoreRemovesHoldsAndWaitsForNewPids()
    {
        using var primary = Sleeper();
        using var standby = Sleeper();
        WriteStack(new StackNode { Role = "origin", Name = "primary", Pid = primary.Id, State = "running" },
                   new StackNode { Role = "origin", Name = "standby", Pid = standby.Id, State = "running" });
        var fault = new KillFault(_state, ["primary", "standby"], TimeSpan.FromSeconds(38), TimeSpan.FromSeconds(10));

        await fault.InjectAsync(CancellationToken.None);

        Assert.True(primary.WaitForExit(5000) && standby.WaitForExit(5000));
        Assert.Equal("down", NodeHold.TryRead(_state, "primary")?.Kind);
        Assert.Equal(Environment.ProcessId, NodeHold.TryRead(_state, "standby")?.By);
        Assert.InRange(NodeHold.TryRead(_state, "primary")!.Until - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(38));

        // The supervisor: once the holds are gone, the nodes run again under new process ids.
        var restore = fault.RestoreAsync(CancellationToken.None);
        await Task.Delay(300);
        Assert.False(restore.IsCompleted);
        Assert.Null(NodeHold.TryRead(_state, "primary"));
        Assert.Null(NodeHold.TryRead(_state, "standby"));
        WriteStack(new StackNode { Role = "origin", Name = "primary", Pid = Environment.ProcessId, State = "running" },
                   new StackNode { Role = "origin", Name = "standby", Pid = null, State = "restarting" });
        await Task.Delay(300);
        Assert.False(restore.IsCompleted);
        WriteStack(new StackNode { Role = "origin", Name = "primary", Pid = Environment.ProcessId, State = "running" },
                   new StackNode { Role = "origin", Name = "standby", Pid = Environment.ProcessId, State = "running" });
        await restore.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Kill_NoRestartWithinBound_RestoreFailsSayingWhich()
    {
        using var primary = Sleeper();
        WriteStack(new StackNode { Role = "origin", Name = "primary", Pid = primary.Id, State = "running" });
        var fault = new KillFault(_state, ["primary"], TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
        await fault.InjectAsync(CancellationToken.None);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => fault.RestoreAsync(CancellationToken.None));

        Assert.Contains("did not restart primary", ex.Message, StringComparison.Ordinal);
        Assert.Null(NodeHold.TryRead(_state, "primary"));
    }

    [Fact]
    public async Task Restore_WithoutInject_ChangesNothing()
    {
        await new KillFault(_state, ["primary"], TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1)).RestoreAsync(CancellationToken.None);
        await new FreezeFault(_state, "primary", Environment.ProcessId, TimeSpan.FromSeconds(30)).RestoreAsync(CancellationToken.None);
        await new OriginFaultFile("primary", _state, new OriginFault { Status = 503, Until = DateTimeOffset.UtcNow }).RestoreAsync(CancellationToken.None);

        Assert.False(Directory.Exists(Path.Combine(_state, NodeHold.FolderName)));
    }

    [Fact]
    public async Task FaultFile_WrittenThenRemoved()
    {
        var fault = new OriginFaultFile("primary", _state, new OriginFault { DelayMs = 6500, Until = DateTimeOffset.UtcNow.AddSeconds(38) });

        await fault.InjectAsync(CancellationToken.None);
        Assert.Equal(6500, OriginFault.TryRead(_state)?.DelayMs);
        await fault.RestoreAsync(CancellationToken.None);

        Assert.False(File.Exists(OriginFault.PathIn(_state)));
    }

    [Theory]
    [InlineData("kill")]
    [InlineData("both-down")]
    public async Task KillAndBothDown_WithoutALiveSupervisor_ExitTwo(string scenario)
    {
        var loaded = ConfigLoader.Parse("""
            {
              "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:1" }, "standby": { "websiteEndpoint": "http://127.0.0.1:2" } },
              "distribution": {
                "originGroups": { "site": { "origins": ["primary", "standby"] } },
                "behaviors": [ { "pathPattern": "*", "target": "site", "cachePolicy": { "queryStringInKey": true } } ]
              },
              "edges": { "edge-1": { "httpListen": "127.0.0.1:1", "adminListen": "127.0.0.1:2", "adminToken": { "env": "PATH" } } }
            }
            """, Path.Combine(_state, "tandem.json"));
        var error = new StringWriter();

        var exit = await new DrillRunner(loaded, null, new DrillOptions { Scenarios = [scenario], StateDir = _state }, new StringWriter(), error).RunAsync(CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains($"{scenario} needs a stack run by `tandem up`", error.ToString(), StringComparison.Ordinal);
    }
}

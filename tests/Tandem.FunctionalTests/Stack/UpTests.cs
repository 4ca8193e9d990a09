using System.Net;
using System.Net.Sockets;
using Tandem.Core.Stack;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Stack;

/// <summary>
/// `tandem up` as a user runs it: the whole stack from nothing, served through the edge over HTTP
/// and HTTPS, a node killed for real and restarted, a drill's hold respected, Ctrl-C, a second
/// run on the same data, and the refusals (busy port, missing site folder).
/// </summary>
public sealed class UpTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Up_ServesTheSite_RestartsAKilledNode_RespectsAHold_StopsOnCtrlC_AndReusesDataOnTheNextRun()
    {
        await OffRunnerThreads.Now;
        using var dir = new TempDir("tandem-up");
        var offset = UpProcess.FreePortOffset();
        var site = $"http://127.0.0.1:{8080 + offset}/";

        using (var up = UpProcess.Start(dir.Path, "--port-offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            await up.WaitForLineAsync("Ctrl-C stops everything", StartTimeout);
            Assert.Contains($"site: {site}  https://127.0.0.1:{8443 + offset}/", up.StdOut, StringComparison.Ordinal);

            // Through the edge, from the primary; and HTTPS with the generated certificate.
            using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator });
            var index = File.ReadAllText(Path.Combine(UpProcess.RepoRoot, "examples", "site", "index.html"));
            using (var response = await http.GetAsync(site))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("primary", response.Headers.GetValues("X-Tandem-Origin").Single());
                Assert.Equal(index, await response.Content.ReadAsStringAsync());
            }

            using (var response = await http.GetAsync($"https://127.0.0.1:{8443 + offset}/"))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // stack.json: every node, running, with a live pid.
            var stack = up.ReadStack();
            Assert.Equal(up.Pid, stack.SupervisorPid);
            Assert.Equal(Path.Combine(up.StateDir, "tandem.json"), stack.ConfigPath);
            Assert.Equal(["origin primary", "origin standby", "edge edge-1", "dns ns1", "monitor mon-1"], stack.Nodes.Select(n => $"{n.Role} {n.Name}"));
            var alarms = await http.GetStringAsync($"http://127.0.0.1:{9090 + offset}/api/alarms");
            Assert.Contains("\"edge-5xx-rate\"", alarms, StringComparison.Ordinal);
            Assert.Contains("\"origin-failovers\"", alarms, StringComparison.Ordinal);
            Assert.Contains("\"certificate-expiry\"", alarms, StringComparison.Ordinal);
            Assert.All(stack.Nodes, n => Assert.Equal("running", n.State));
            Assert.All(stack.Nodes, n => Assert.True(ProcessSignals.Exists(n.Pid!.Value), $"{n.Name}: pid {n.Pid} is not running"));
            Assert.Equal("us-east", stack.Find("origin", "primary")!.Region);
            Assert.Equal($"http://127.0.0.1:{9000 + offset}", stack.Find("origin", "primary")!.Urls["s3"]);
            Assert.Equal("standby", stack.Credentials!.Profiles["standby"]);
            Assert.True(File.Exists(stack.Credentials.File));
            Assert.True(File.Exists(stack.AdminTokenFile));

            // A second `up` from the same folder is refused while this one runs.
            using (var second = UpProcess.Start(dir.Path, "--port-offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                Assert.Equal(3, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                Assert.Contains($"a stack is already running from here (pid {up.Pid})", second.StdErr, StringComparison.Ordinal);
            }

            // kill -9 the primary: restarted with a new pid, and the site keeps answering.
            var first = stack.Find("origin", "primary")!.Pid!.Value;
            ProcessSignals.Send(first, ProcessSignals.SigKill);
            var restarted = await up.WaitForStackAsync(s => s.Find("origin", "primary") is { State: "running", Pid: { } p } && p != first, TimeSpan.FromSeconds(20), "the primary restarted");
            Assert.Equal(1, restarted.Find("origin", "primary")!.Restarts);
            // stack.json can show the change before the supervisor's line has been read from its stdout.
            await up.WaitForLineAsync("[primary] exited (signal 9); restarting in 500 ms", TimeSpan.FromSeconds(5));
            using (var response = await http.GetAsync(site + "?after-restart"))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // With a hold, a killed node stays down until the hold is removed.
            new NodeHold { Kind = "down", Until = DateTimeOffset.UtcNow.AddMinutes(5), By = Environment.ProcessId }.Write(up.StateDir, "primary");
            var secondPid = restarted.Find("origin", "primary")!.Pid!.Value;
            ProcessSignals.Send(secondPid, ProcessSignals.SigKill);
            await up.WaitForStackAsync(s => s.Find("origin", "primary") is { State: "held", Pid: null }, TimeSpan.FromSeconds(10), "the primary held");
            await Task.Delay(1500);
            Assert.Equal("held", up.ReadStack().Find("origin", "primary")!.State);
            using (var response = await http.GetAsync(site + "?while-held"))
            {
                Assert.Equal("standby", response.Headers.GetValues("X-Tandem-Origin").Single());
            }

            NodeHold.Remove(up.StateDir, "primary");
            var released = await up.WaitForStackAsync(s => s.Find("origin", "primary") is { State: "running", Pid: { } p } && p != secondPid, TimeSpan.FromSeconds(20), "the primary restarted after the hold");
            Assert.Equal(2, released.Find("origin", "primary")!.Restarts);

            // A frozen hold that expires: the supervisor sends SIGCONT and deletes it.
            var standby = released.Find("origin", "standby")!.Pid!.Value;
            new NodeHold { Kind = "frozen", Until = DateTimeOffset.UtcNow.AddSeconds(1), By = Environment.ProcessId }.Write(up.StateDir, "standby");
            ProcessSignals.Send(standby, ProcessSignals.SigStop);
            var stopped = DateTime.UtcNow.AddSeconds(1);
            while (ProcessState(standby) != 'T' && DateTime.UtcNow < stopped)
            {
                await Task.Delay(10);
            }

            Assert.Equal('T', ProcessState(standby));
            await up.WaitForStackAsync(_ => !File.Exists(NodeHold.PathFor(up.StateDir, "standby")), TimeSpan.FromSeconds(10), "the frozen hold removed");
            Assert.NotEqual('T', ProcessState(standby));
            // stack.json can show the change before the supervisor's line has been read from its stdout.
            await up.WaitForLineAsync("[standby] frozen hold expired; sent SIGCONT", TimeSpan.FromSeconds(5));

            // Ctrl-C: every child gone, stack.json removed, exit 0.
            var children = released.Nodes.Select(n => n.Pid!.Value).ToList();
            up.Signal(ProcessSignals.SigInt);
            // Children get SIGTERM, and SIGKILL after 10 s; on a busy machine that can all be needed.
            Assert.Equal(0, await up.WaitForExitAsync(TimeSpan.FromSeconds(40)));
            Assert.All(children, pid => Assert.False(ProcessSignals.Exists(pid), $"node pid {pid} outlived `tandem up`"));
            Assert.False(File.Exists(StackFile.PathIn(up.StateDir)));
        }

        // A second run in the same folder reuses the data: the deploy has nothing to upload.
        using (var again = UpProcess.Start(dir.Path, "--port-offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            await again.WaitForLineAsync("Ctrl-C stops everything", StartTimeout);
            Assert.Contains("is already live on 2 origin(s); nothing to upload", again.StdOut, StringComparison.Ordinal);
            Assert.DoesNotContain("wrote a new key", again.StdOut, StringComparison.Ordinal);

            // kill -9 of the supervisor itself: its nodes notice and stop by themselves.
            var children = again.ReadStack().Nodes.Select(n => n.Pid!.Value).ToList();
            again.Signal(ProcessSignals.SigKill);
            await again.WaitForExitAsync(TimeSpan.FromSeconds(10));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (children.Any(ProcessSignals.Exists) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.All(children, pid => Assert.False(ProcessSignals.Exists(pid), $"node pid {pid} outlived a killed `tandem up`"));
        }
    }

    [Fact]
    public async Task Up_WithConfig_RunsOnlyThisMachinesNodes_AndSkipsSetupWhenAnOriginIsElsewhere()
    {
        await OffRunnerThreads.Now;
        using var dir = new TempDir("tandem-up");
        var offset = UpProcess.FreePortOffset();
        File.WriteAllText(dir.Combine("tandem.json"), $$"""
            {
              "origins": {
                "here": { "region": "eu-north", "s3Endpoint": "http://127.0.0.1:{{9000 + offset}}", "websiteEndpoint": "http://127.0.0.1:{{9001 + offset}}",
                          "credentials": { "file": "keys", "profile": "here" },
                          "server": { "dataDir": "data/here", "s3Listen": "127.0.0.1:{{9000 + offset}}", "websiteListen": "127.0.0.1:{{9001 + offset}}" } },
                "elsewhere": { "s3Endpoint": "http://192.0.2.20:9000", "websiteEndpoint": "http://192.0.2.20:9001" }
              },
              "edges": { "far": { "httpListen": "192.0.2.30:8080", "adminListen": "192.0.2.30:8081", "adminToken": { "env": "T" } } }
            }
            """);

        using var up = UpProcess.Start(dir.Path, "--config", dir.Combine("tandem.json"), "--state-dir", "state");
        await up.WaitForLineAsync("Ctrl-C stops everything", StartTimeout);

        Assert.Contains("not every origin of the config runs here, so no setup or deploy", up.StdOut, StringComparison.Ordinal);
        Assert.Contains("wrote a new key for here", up.StdOut, StringComparison.Ordinal);
        var stack = await up.WaitForStackAsync(s => s.Nodes.Count == 1, TimeSpan.FromSeconds(5), "one node");
        Assert.Equal(dir.Combine("tandem.json"), stack.ConfigPath);
        Assert.Equal(dir.Combine("state"), stack.StateDir);
        Assert.Equal(dir.Combine("data", "here"), Assert.Single(stack.Nodes).DataDir);
        Assert.False(File.Exists(dir.Combine("state", "tandem.json")));
        Assert.False(Directory.Exists(dir.Combine(".tandem")));

        up.Signal(ProcessSignals.SigTerm);
        Assert.Equal(0, await up.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Up_ANodeThatFailsToStart_StopsEverythingAndShowsItsErrors()
    {
        await OffRunnerThreads.Now;
        using var dir = new TempDir("tandem-up");
        var offset = UpProcess.FreePortOffset();
        File.WriteAllText(dir.Combine("not-a-folder"), "a file where the data folder should be");
        File.WriteAllText(dir.Combine("tandem.json"), $$"""
            {
              "origins": {
                "broken": { "s3Endpoint": "http://127.0.0.1:{{9000 + offset}}", "websiteEndpoint": "http://127.0.0.1:{{9001 + offset}}",
                            "credentials": { "file": "keys", "profile": "broken" },
                            "server": { "dataDir": "not-a-folder", "s3Listen": "127.0.0.1:{{9000 + offset}}", "websiteListen": "127.0.0.1:{{9001 + offset}}" } }
              }
            }
            """);

        using var up = UpProcess.Start(dir.Path, "--config", dir.Combine("tandem.json"));

        Assert.Equal(1, await up.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        Assert.Contains("tandem up: origin broken exited (code ", up.StdErr, StringComparison.Ordinal);
        Assert.Contains(") before it was ready; stopping everything", up.StdErr, StringComparison.Ordinal);
        Assert.Contains("  [broken] ", up.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(StackFile.PathIn(up.StateDir)));
    }

    /// <summary>The state letter of /proc/PID/stat: 'T' while stopped by SIGSTOP.</summary>
    private static char ProcessState(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }

    [Fact]
    public async Task Up_EdgePortBusy_ExitsThreeNamingTheAddressAndSetting()
    {
        await OffRunnerThreads.Now;
        using var dir = new TempDir("tandem-up");
        var offset = UpProcess.FreePortOffset();
        using var busy = new TcpListener(IPAddress.Loopback, 8080 + offset);
        busy.Start();

        using var up = UpProcess.Start(dir.Path, "--port-offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(3, await up.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"127.0.0.1:{8080 + offset} is in use (edges.edge-1.httpListen in {Path.Combine(up.StateDir, "tandem.json")}); stop what uses it, or move the whole stack with --port-offset N", up.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("ready: ", up.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_MissingSiteFolder_ExitsTwo()
    {
        await OffRunnerThreads.Now;
        using var dir = new TempDir("tandem-up");

        using var up = UpProcess.Start(dir.Path, dir.Combine("no-such-site"));

        Assert.Equal(2, await up.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"site folder '{dir.Combine("no-such-site")}' does not exist", up.StdErr, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Drill;

/// <summary>
/// What `tandem up` will run, assembled by hand: origins primary and standby, edge edge-1 and name
/// server ns1 as `tandem ROLE NAME --config` child processes of the test, the example site set up
/// and deployed with `tandem setup`, and STATE/stack.json naming them. The test process plays the
/// supervisor as far as kill and both-down need it: it starts a dead origin again unless a hold
/// keeps it down, and rewrites the stack file. The config is the default stack's, with shorter
/// origin timeouts, probes and DNS health checks so that a drill takes seconds.
/// </summary>
public sealed class DrillStack : IAsyncLifetime
{
    private readonly TempDir _dir = new("tandem-drill");
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Process> _nodes = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _states = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopSupervisor = new();
    private readonly Lock _stackLock = new();
    private Task _supervisor = Task.CompletedTask;
    private readonly Dictionary<string, int> _ports = new(StringComparer.Ordinal);

    public string ConfigPath => _dir.Combine("tandem.json");

    public string StateDir => _dir.Combine(".tandem");

    public string PrimaryDataDir => _dir.Combine("data", "primary");

    public string StandbyDataDir => _dir.Combine("data", "standby");

    public string EdgeUrl => $"http://127.0.0.1:{_ports["edge-http"]}";

    public int PrimaryPid => _nodes["primary"].Id;

    /// <summary>The edge's response timeout for each origin: the slow scenario waits this plus 1.5 s.</summary>
    public const int ResponseTimeoutMs = 1500;

    public async Task InitializeAsync()
    {
        foreach (var port in new[] { "primary-s3", "primary-web", "standby-s3", "standby-web", "edge-http", "edge-admin", "dns", "dns-metrics" })
        {
            _ports[port] = OriginProcess.FreePort();
        }

        var credentials = _dir.Combine("credentials");
        CredentialResolver.WriteProfile(credentials, "primary", TestOrigin.NewCredentials());
        CredentialResolver.WriteProfile(credentials, "standby", TestOrigin.NewCredentials());
        await File.WriteAllTextAsync(_dir.Combine("admin-token"), "drill-test-token");
        var connection = $$"""
            "connection": { "connectTimeoutMs": 500, "responseTimeoutMs": {{ResponseTimeoutMs}}, "healthCheck": { "intervalMs": 500, "timeoutMs": 500, "unhealthyThreshold": 2, "healthyThreshold": 2 } }
            """;
        string Origin(string name) => $$"""
                "{{name}}": { "bucket": "site", "s3Endpoint": "http://127.0.0.1:{{_ports[name + "-s3"]}}", "websiteEndpoint": "http://127.0.0.1:{{_ports[name + "-web"]}}",
                  "credentials": { "file": "credentials", "profile": "{{name}}" },
                  "server": { "dataDir": "data/{{name}}", "s3Listen": "127.0.0.1:{{_ports[name + "-s3"]}}", "websiteListen": "127.0.0.1:{{_ports[name + "-web"]}}", "fsync": false },
                  {{connection}} }
            """;
        await File.WriteAllTextAsync(ConfigPath, $$"""
            {
              "site": { "root": "{{SiteSetup.ExampleSite}}" },
              "origins": {
            {{Origin("primary")}},
            {{Origin("standby")}}
              },
              "distribution": {
                "originGroups": { "site": { "origins": ["primary", "standby"], "failoverStatusCodes": [403, 404, 500, 502, 503, 504] } },
                "behaviors": [
                  { "pathPattern": "/css/*", "target": "site", "cachePolicy": { "defaultTtl": 86400 } },
                  { "pathPattern": "/js/*", "target": "site", "cachePolicy": { "defaultTtl": 86400 } },
                  { "pathPattern": "*", "target": "site", "cachePolicy": { "defaultTtl": 60, "queryStringInKey": true } }
                ],
                "customErrorResponses": [
                  { "errorCode": 404, "responsePagePath": "/404.html", "ttlSeconds": 10 },
                  { "errorCode": 502, "responsePagePath": "/404.html", "ttlSeconds": 10 },
                  { "errorCode": 504, "responsePagePath": "/404.html", "ttlSeconds": 10 }
                ]
              },
              "edges": {
                "edge-1": { "httpListen": "127.0.0.1:{{_ports["edge-http"]}}", "adminListen": "127.0.0.1:{{_ports["edge-admin"]}}",
                            "adminToken": { "file": "admin-token" }, "stateDir": "state/edge-1", "accessLog": null }
              },
              "dns": {
                "nodes": { "ns1": { "listen": "127.0.0.1:{{_ports["dns"]}}", "metricsListen": "127.0.0.1:{{_ports["dns-metrics"]}}" } },
                "healthChecks": {
                  "edge-1-origins": { "type": "http", "target": "127.0.0.1:{{_ports["edge-admin"]}}", "path": "/healthz/origins", "intervalMs": 1000, "timeoutMs": 500, "failureThreshold": 1, "recoveryThreshold": 1 }
                },
                "zones": {
                  "example.test": {
                    "nameServers": ["ns1.example.test"],
                    "records": [
                      { "name": "ns1", "type": "A", "values": ["127.0.0.1"] },
                      { "name": "www", "type": "A", "ttl": 5, "failover": { "primary": { "edge": "edge-1", "healthCheck": "edge-1-origins" }, "secondary": { "value": "127.0.0.2" } } }
                    ]
                  }
                }
              }
            }
            """);

        await Task.WhenAll(StartAsync("origin", "primary"), StartAsync("origin", "standby"), StartAsync("edge", "edge-1"), StartAsync("dns", "ns1"));
        (await Tandem(TimeSpan.FromMinutes(2), "setup")).EnsureSuccess("tandem setup");
        WriteStack();
        _supervisor = SuperviseAsync(_stopSupervisor.Token);
    }

    /// <summary>A listener's port: primary-s3, primary-web, standby-s3, standby-web, edge-http, edge-admin, dns, dns-metrics.</summary>
    public int Port(string listener) => _ports[listener];

    /// <summary>The process id of a node now (a restarted origin has a new one).</summary>
    public int Pid(string name) => _nodes[name].Id;

    private void WriteStack()
    {
        lock (_stackLock)
        {
            new StackFile
            {
                ConfigPath = ConfigPath,
                StateDir = StateDir,
                SupervisorPid = Environment.ProcessId,
                StartedAt = DateTimeOffset.UtcNow,
                Nodes =
                [
                    Node("origin", "primary", "us-east", new() { ["s3"] = $"http://127.0.0.1:{_ports["primary-s3"]}", ["website"] = $"http://127.0.0.1:{_ports["primary-web"]}" }, PrimaryDataDir),
                    Node("origin", "standby", "us-west", new() { ["s3"] = $"http://127.0.0.1:{_ports["standby-s3"]}", ["website"] = $"http://127.0.0.1:{_ports["standby-web"]}" }, StandbyDataDir),
                    Node("edge", "edge-1", null, new() { ["http"] = EdgeUrl, ["admin"] = $"http://127.0.0.1:{_ports["edge-admin"]}" }, null),
                    Node("dns", "ns1", null, new() { ["dns"] = $"127.0.0.1:{_ports["dns"]}" }, null),
                ],
            }.Write(StackFile.PathIn(StateDir));
        }
    }

    /// <summary>
    /// The supervisor's part of the hold contract: a dead origin stays down while its hold is
    /// active ("held"), and is started again at once when the hold is gone or expired.
    /// </summary>
    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var restarts = new List<Task>();
            foreach (var name in new[] { "primary", "standby" })
            {
                if (!_nodes[name].HasExited)
                {
                    continue;
                }

                var hold = NodeHold.TryRead(StateDir, name);
                if (hold is not null && hold.ActiveAt(DateTimeOffset.UtcNow))
                {
                    if (_states.GetValueOrDefault(name) != "held")
                    {
                        _states[name] = "held";
                        WriteStack();
                    }

                    continue;
                }

                _states[name] = "restarting";
                WriteStack();
                restarts.Add(RestartAsync(name));
            }

            await Task.WhenAll(restarts);
            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task RestartAsync(string name)
    {
        _nodes[name].Dispose();
        await StartAsync("origin", name);
        _states[name] = "running";
        WriteStack();
    }

    private StackNode Node(string role, string name, string? region, Dictionary<string, string> urls, string? dataDir) =>
        new()
        {
            Role = role,
            Name = name,
            Region = region,
            Pid = _states.GetValueOrDefault(name, "running") == "running" ? _nodes[name].Id : null,
            State = _states.GetValueOrDefault(name, "running"),
            Urls = urls,
            DataDir = dataDir,
        };

    /// <summary>Runs the tandem executable in the stack's folder and waits for it.</summary>
    public Task<ExternalTool.Result> Tandem(TimeSpan timeout, params string[] args) =>
        ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, .. args, "--config", ConfigPath], workingDirectory: _dir.Path, timeout: timeout);

    /// <summary>Starts the tandem executable in the stack's folder without waiting (for a test that interrupts it).</summary>
    public Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir.Path, UseShellExecute = false };
        foreach (var a in new[] { OriginProcess.CliPath }.Concat(args).Concat(["--config", ConfigPath]))
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    /// <summary>Waits until the edge's /healthz/origins names both origins healthy, so the next test starts from a whole stack.</summary>
    public async Task WaitForEdgeToSeeBothHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        var last = "";
        while (!global::Tandem.Drill.DrillRunner.HealthyOrigins(last).IsSupersetOf(["primary", "standby"]))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"the edge did not see both origins healthy within {timeout}: {last}");
            }

            try
            {
                last = await http.GetStringAsync($"http://127.0.0.1:{_ports["edge-admin"]}/healthz/origins");
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The primary's bucket website configuration, as XML-free text to compare.</summary>
    public async Task<string> PrimaryWebsiteAsync()
    {
        var loaded = ConfigLoader.Load(ConfigPath);
        using var primary = global::Tandem.Deploy.Origins.OriginConnection.OpenAll(loaded, ["primary"])[0];
        var website = await primary.GetWebsiteAsync(CancellationToken.None);
        return System.Text.Json.JsonSerializer.Serialize(website);
    }

    /// <summary>What a drill killed during website-deleted leaves: no website configuration, and its marker.</summary>
    public async Task DeletePrimaryWebsiteAsync()
    {
        var loaded = ConfigLoader.Load(ConfigPath);
        using var primary = global::Tandem.Deploy.Origins.OriginConnection.OpenAll(loaded, ["primary"])[0];
        await primary.DeleteWebsiteAsync(CancellationToken.None);
        await File.WriteAllTextAsync(global::Tandem.Drill.WebsiteDeletedFault.MarkerPath(StateDir, "primary"), "1\n");
    }

    /// <summary>True when the primary's process is stopped (SIGSTOP): state T in /proc/PID/stat.</summary>
    public bool PrimaryStopped()
    {
        var stat = File.ReadAllText($"/proc/{PrimaryPid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T');
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private async Task StartAsync(string role, string name)
    {
        var process = Start(role, name);
        _nodes[name] = process;
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await process.StandardOutput.ReadLineAsync(cts.Token);
        if (line is null || !line.Contains(" ready: ", StringComparison.Ordinal))
        {
            process.Kill(true);
            throw new InvalidOperationException($"{role} {name} did not start: {line}\n{await stderr}");
        }

        _ = process.StandardOutput.ReadToEndAsync();
    }

    public async Task DisposeAsync()
    {
        await _stopSupervisor.CancelAsync();
        await _supervisor;
        _stopSupervisor.Dispose();
        foreach (var process in _nodes.Values)
        {
            if (!HasExited(process))
            {
                ProcessSignals.Send(process.Id, ProcessSignals.SigCont);
                process.Kill(true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        _dir.Dispose();
    }
}

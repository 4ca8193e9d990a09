using System.Diagnostics;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Drill;

/// <summary>
/// What `tandem up` will run, assembled by hand: origins primary and standby and edge edge-1 as
/// `tandem ROLE NAME --config` child processes of the test, the example site set up and deployed
/// with `tandem setup`, and STATE/stack.json naming them (the test process plays the supervisor,
/// which kill and both-down need, so only the other scenarios run here). The config is the
/// default stack's, with shorter origin timeouts and probes so that a drill takes seconds.
/// </summary>
public sealed class DrillStack : IAsyncLifetime
{
    private readonly TempDir _dir = new("tandem-drill");
    private readonly Dictionary<string, Process> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _ports = new(StringComparer.Ordinal);

    public string ConfigPath => _dir.Combine("tandem.json");

    public string StateDir => _dir.Combine(".tandem");

    public string PrimaryDataDir => _dir.Combine("data", "primary");

    public string EdgeUrl => $"http://127.0.0.1:{_ports["edge-http"]}";

    public int PrimaryPid => _nodes["primary"].Id;

    /// <summary>The edge's response timeout for each origin: the slow scenario waits this plus 1.5 s.</summary>
    public const int ResponseTimeoutMs = 1500;

    public async Task InitializeAsync()
    {
        foreach (var port in new[] { "primary-s3", "primary-web", "standby-s3", "standby-web", "edge-http", "edge-admin" })
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
              }
            }
            """);

        await Task.WhenAll(StartAsync("origin", "primary"), StartAsync("origin", "standby"), StartAsync("edge", "edge-1"));
        (await Tandem(TimeSpan.FromMinutes(2), "setup")).EnsureSuccess("tandem setup");
        new StackFile
        {
            ConfigPath = ConfigPath,
            StateDir = StateDir,
            SupervisorPid = Environment.ProcessId,
            StartedAt = DateTimeOffset.UtcNow,
            Nodes =
            [
                Node("origin", "primary", "us-east", new() { ["s3"] = $"http://127.0.0.1:{_ports["primary-s3"]}", ["website"] = $"http://127.0.0.1:{_ports["primary-web"]}" }, PrimaryDataDir),
                Node("origin", "standby", "us-west", new() { ["s3"] = $"http://127.0.0.1:{_ports["standby-s3"]}", ["website"] = $"http://127.0.0.1:{_ports["standby-web"]}" }, _dir.Combine("data", "standby")),
                Node("edge", "edge-1", null, new() { ["http"] = EdgeUrl, ["admin"] = $"http://127.0.0.1:{_ports["edge-admin"]}" }, null),
            ],
        }.Write(StackFile.PathIn(StateDir));
    }

    private StackNode Node(string role, string name, string? region, Dictionary<string, string> urls, string? dataDir) =>
        new() { Role = role, Name = name, Region = region, Pid = _nodes[name].Id, State = "running", Urls = urls, DataDir = dataDir };

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
        foreach (var process in _nodes.Values)
        {
            if (!process.HasExited)
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

using System.Net;
using System.Text;
using Tandem.Cli;
using Tandem.Core.Configuration;
using Tandem.Deploy;
using Tandem.Deploy.Edges;
using Tandem.Edge;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Deploy;

/// <summary>
/// Two real origins (the standby under a key prefix, as a shared bucket would be), a site folder
/// and a config naming both, with the deploy classes driven as the CLI drives them. With edges, the
/// config also names edge-1, edge-2, ... (an origin group of both origins, a state folder each),
/// which <see cref="StartEdgeAsync"/> starts from that config as `tandem edge NAME` does, and the
/// deploy reaches them through the CLI's own <see cref="ReleaseEdgeFleet"/>.
/// </summary>
public sealed class DeployRig : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Dictionary<string, (int Http, int Admin)> _edgePorts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EdgeHost> _edges = new(StringComparer.Ordinal);
    private Action _rewrite = () => { };

    private DeployRig(TempDir dir)
    {
        Dir = dir;

        // Every listing of a site past 100 files goes in ranges at once, so the tests cover the
        // ranged listing that large sites use (it changes only how many requests, not what is found).
        Tandem.Deploy.Origins.ReleaseReader.RangeSize = 100;
    }

    public TempDir Dir { get; }

    public string Site => Dir.Combine("site");

    public string ConfigPath => Dir.Combine("tandem.json");

    public IRunningOrigin Primary { get; private set; } = null!;

    public IRunningOrigin Standby { get; private set; } = null!;

    public const string StandbyPrefix = "www/";

    public const string EdgeToken = "deploy-edge-token";

    /// <summary>The edges the config names, whether running or not.</summary>
    public IReadOnlyCollection<string> EdgeNames => _edgePorts.Keys;

    /// <summary>Starts two in-process origins, or the standby as a child process that a test can kill.</summary>
    public static async Task<DeployRig> StartAsync(bool standbyAsProcess = false, int? standbyS3Port = null, int? standbyWebPort = null, int edges = 0)
    {
        var rig = new DeployRig(new TempDir("tandem-deploy"));
        for (var i = 1; i <= edges; i++)
        {
            rig._edgePorts[$"edge-{i}"] = (OriginProcess.FreePort(), OriginProcess.FreePort());
        }

        var primary = await TestOrigin.StartAsync();
        rig._owned.Add(primary);
        rig.Primary = primary;
        if (standbyAsProcess)
        {
            var standby = await OriginProcess.StartAsync(rig.Dir.Combine("standby-data"), TestOrigin.NewCredentials(), $"127.0.0.1:{standbyS3Port}", $"127.0.0.1:{standbyWebPort}");
            rig._owned.Add(standby);
            rig.Standby = standby;
        }
        else
        {
            var standby = await TestOrigin.StartAsync();
            rig._owned.Add(standby);
            rig.Standby = standby;
        }

        Directory.CreateDirectory(rig.Site);
        rig.WriteConfig();
        return rig;
    }

    /// <summary>Writes the config and the credentials file; <paramref name="standbySecret"/> replaces the standby's real secret.</summary>
    public void WriteConfig(string? standbySecret = null, string extraDeploy = "", string? standbyS3Url = null)
    {
        _rewrite = () => WriteConfig(standbySecret, extraDeploy, standbyS3Url);
        var credentials = Dir.Combine("credentials");
        File.Delete(credentials);
        CredentialResolver.WriteProfile(credentials, "primary", Primary.Credentials);
        // With edges: fast-failing connections and probes, so a killed origin is left out quickly.
        var connection = _edgePorts.Count == 0 ? "" : """
            , "connection": { "connectTimeoutMs": 500, "responseTimeoutMs": 5000, "healthCheck": { "intervalMs": 200, "timeoutMs": 1000, "unhealthyThreshold": 2, "healthyThreshold": 2 } }
            """;
        CredentialResolver.WriteProfile(credentials, "standby", standbySecret is null ? Standby.Credentials : Standby.Credentials with { SecretAccessKey = standbySecret });
        File.WriteAllText(ConfigPath, $$"""
            {
              "site": { "root": "site" },
              "origins": {
                "primary": { "bucket": "site", "s3Endpoint": "{{Primary.S3Url}}", "websiteEndpoint": "{{Primary.WebsiteUrl}}",
                             "credentials": { "file": "credentials", "profile": "primary" }{{connection}} },
                "standby": { "bucket": "site", "prefix": "{{StandbyPrefix}}", "s3Endpoint": "{{standbyS3Url ?? Standby.S3Url}}", "websiteEndpoint": "{{Standby.WebsiteUrl}}",
                             "credentials": { "file": "credentials", "profile": "standby" }{{connection}} }
              },
              "deploy": { "keepReleases": 3 {{extraDeploy}} }{{EdgesJson()}}
            }
            """);
    }

    private string EdgesJson()
    {
        if (_edgePorts.Count == 0)
        {
            return "";
        }

        File.WriteAllText(Dir.Combine("edge-token"), EdgeToken);
        var edges = string.Join(",\n", _edgePorts.Select(e => $$"""
                "{{e.Key}}": { "httpListen": "127.0.0.1:{{e.Value.Http}}", "adminListen": "127.0.0.1:{{e.Value.Admin}}",
                               "adminToken": { "file": "edge-token" }, "stateDir": "state/{{e.Key}}", "accessLog": "{{e.Key}}-access.log" }
            """));
        return $$"""
            ,
              "distribution": {
                "originGroups": { "site": { "origins": ["primary", "standby"] } },
                "behaviors": [ { "pathPattern": "*", "target": "site" } ],
                "customErrorResponses": [ { "errorCode": 404, "responsePagePath": "/404.html", "ttlSeconds": 5 } ]
              },
              "edges": {
            {{edges}}
              }
            """;
    }

    public void RestartStandby(IRunningOrigin standby)
    {
        _owned.Add((IAsyncDisposable)standby);
        Standby = standby;
    }

    public LoadedConfig Load() => ConfigLoader.Load(ConfigPath);

    /// <summary>The config's edges as `tandem deploy` reaches them (the CLI's adapter over the admin API).</summary>
    private static IEdgeFleet Fleet(LoadedConfig loaded) => loaded.Config.Edges.Count > 0 ? new ReleaseEdgeFleet(loaded) : NoEdges.Instance;

    /// <summary>Starts edge <paramref name="name"/> from the config, as `tandem edge NAME` does.</summary>
    public async Task<EdgeHost> StartEdgeAsync(string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var edge = await EdgeHost.StartAsync(EdgeOptions.FromConfig(Load(), name));
                _edges[name] = edge;
                return edge;
            }
            catch (IOException ex) when (attempt < 5 && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // A port picked free was taken since by another listener: pick others and rewrite the config.
                _edgePorts[name] = (OriginProcess.FreePort(), OriginProcess.FreePort());
                _rewrite();
            }
        }
    }

    public async Task StopEdgeAsync(string name)
    {
        if (_edges.Remove(name, out var edge))
        {
            await edge.DisposeAsync();
        }
    }

    /// <summary>Base URL of a running edge's HTTP listener, without the trailing slash.</summary>
    public string EdgeUrl(string name) => _edges[name].HttpUrl!.ToString().TrimEnd('/');

    public void Put(string path, string text) => Put(path, Encoding.UTF8.GetBytes(text));

    public void Put(string path, byte[] bytes)
    {
        var full = Path.Combine(Site, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
    }

    /// <summary>Puts <paramref name="count"/> files of 2-4 KB of random bytes as FOLDER/pNNN.bin.</summary>
    public void PutRandomFiles(string folder, int count, int seed)
    {
        var rng = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[2000 + rng.Next(2000)];
            rng.NextBytes(bytes);
            Put($"{folder}/p{i:D3}.bin", bytes);
        }
    }

    /// <summary>A deploy during which the standby process is killed (SIGKILL) once it has written <paramref name="afterFiles"/> files.</summary>
    public Task<(DeployResult Result, string Output)> DeployKillingStandbyAsync(int afterFiles = 40)
    {
        var killed = 0;
        return DeployAsync(fileDone: (origin, done) =>
        {
            if (origin == "standby" && done >= afterFiles && Interlocked.Exchange(ref killed, 1) == 0)
            {
                ((OriginProcess)Standby).KillHard();
            }
        });
    }

    public async Task<(DeployResult Result, string Output)> DeployAsync(DeployOptions? options = null, Action<string, int>? fileDone = null, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var progress = new DeployProgress(output, interactive: false) { FileDone = fileDone };
        var result = await new Deployer(Load(), Fleet(Load()), output, progress).DeployAsync(options ?? new DeployOptions(), cancellationToken);
        return (result, output.ToString());
    }

    public async Task<(int Exit, string Output)> SetupAsync()
    {
        var output = new StringWriter();
        var loaded = Load();
        var exit = await new SetupRunner(loaded, output).SetupAsync(CancellationToken.None);
        if (exit == 0)
        {
            exit = (await new Deployer(loaded, Fleet(loaded), output, new DeployProgress(output, false)).DeployAsync(new DeployOptions(), CancellationToken.None)).ExitCode;
        }

        return (exit, output.ToString());
    }

    /// <summary>`tandem setup`: the buckets, then the first deploy, whose result it returns.</summary>
    public async Task<(DeployResult Result, string Output)> DeployAfterSetupAsync()
    {
        var output = new StringWriter();
        var exit = await new SetupRunner(Load(), output).SetupAsync(CancellationToken.None);
        Assert.True(exit == 0, output.ToString());
        var (result, deployOutput) = await DeployAsync();
        return (result, output + deployOutput);
    }

    public async Task<(int Exit, string Output)> VerifyAsync(bool repair = false)
    {
        var output = new StringWriter();
        var exit = await new Verifier(Load(), output).VerifyAsync(null, repair, CancellationToken.None);
        return (exit, output.ToString());
    }

    public async Task<(int Exit, string Output)> RollbackAsync(string? id = null)
    {
        var output = new StringWriter();
        var exit = await new ReleaseAdmin(Load(), Fleet(Load()), output).RollbackAsync(id, CancellationToken.None);
        return (exit, output.ToString());
    }

    public async Task<(int Exit, string Output)> ReleasesAsync()
    {
        var output = new StringWriter();
        var exit = await new ReleaseAdmin(Load(), Fleet(Load()), output).ListAsync(CancellationToken.None);
        return (exit, output.ToString());
    }

    /// <summary>GET on an origin's website endpoint as a browser does (redirects followed); the standby's site sits under its prefix.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> BrowseAsync(IRunningOrigin origin, string prefix, string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(origin.WebsiteUrl + "/" + prefix + path.TrimStart('/'));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public Task<(HttpStatusCode Status, string Body)> BrowsePrimaryAsync(string path) => BrowseAsync(Primary, "", path);

    public Task<(HttpStatusCode Status, string Body)> BrowseStandbyAsync(string path) => BrowseAsync(Standby, StandbyPrefix, path);

    /// <summary>Every key in the bucket, through the S3 API.</summary>
    public static async Task<List<string>> KeysAsync(IRunningOrigin origin)
    {
        using var s3 = origin.Client();
        var keys = new List<string>();
        string? token = null;
        do
        {
            var page = await s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = "site", ContinuationToken = token });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var e in _edges.Values)
        {
            await e.DisposeAsync();
        }

        foreach (var o in _owned)
        {
            await o.DisposeAsync();
        }

        Dir.Dispose();
    }
}

using System.Net;
using System.Text;
using Tandem.Core.Configuration;
using Tandem.Deploy;
using Tandem.Deploy.Edges;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Deploy;

/// <summary>
/// Two real origins (the standby under a key prefix, as a shared bucket would be), a site folder
/// and a config naming both, with the deploy classes driven as the CLI drives them.
/// </summary>
public sealed class DeployRig : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

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

    /// <summary>Starts two in-process origins, or the standby as a child process that a test can kill.</summary>
    public static async Task<DeployRig> StartAsync(bool standbyAsProcess = false, int? standbyS3Port = null, int? standbyWebPort = null)
    {
        var rig = new DeployRig(new TempDir("tandem-deploy"));
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
        var credentials = Dir.Combine("credentials");
        File.Delete(credentials);
        CredentialResolver.WriteProfile(credentials, "primary", Primary.Credentials);
        CredentialResolver.WriteProfile(credentials, "standby", standbySecret is null ? Standby.Credentials : Standby.Credentials with { SecretAccessKey = standbySecret });
        File.WriteAllText(ConfigPath, $$"""
            {
              "site": { "root": "site" },
              "origins": {
                "primary": { "bucket": "site", "s3Endpoint": "{{Primary.S3Url}}", "websiteEndpoint": "{{Primary.WebsiteUrl}}",
                             "credentials": { "file": "credentials", "profile": "primary" } },
                "standby": { "bucket": "site", "prefix": "{{StandbyPrefix}}", "s3Endpoint": "{{standbyS3Url ?? Standby.S3Url}}", "websiteEndpoint": "{{Standby.WebsiteUrl}}",
                             "credentials": { "file": "credentials", "profile": "standby" } }
              },
              "deploy": { "keepReleases": 3 {{extraDeploy}} }
            }
            """);
    }

    public void RestartStandby(IRunningOrigin standby)
    {
        _owned.Add((IAsyncDisposable)standby);
        Standby = standby;
    }

    public LoadedConfig Load() => ConfigLoader.Load(ConfigPath);

    public void Put(string path, string text) => Put(path, Encoding.UTF8.GetBytes(text));

    public void Put(string path, byte[] bytes)
    {
        var full = Path.Combine(Site, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
    }

    public async Task<(DeployResult Result, string Output)> DeployAsync(DeployOptions? options = null, Action<string, int>? fileDone = null, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var progress = new DeployProgress(output, interactive: false) { FileDone = fileDone };
        var result = await new Deployer(Load(), NoEdges.Instance, output, progress).DeployAsync(options ?? new DeployOptions(), cancellationToken);
        return (result, output.ToString());
    }

    public async Task<(int Exit, string Output)> SetupAsync()
    {
        var output = new StringWriter();
        var loaded = Load();
        var exit = await new SetupRunner(loaded, output).SetupAsync(CancellationToken.None);
        if (exit == 0)
        {
            exit = (await new Deployer(loaded, NoEdges.Instance, output, new DeployProgress(output, false)).DeployAsync(new DeployOptions(), CancellationToken.None)).ExitCode;
        }

        return (exit, output.ToString());
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
        var exit = await new ReleaseAdmin(Load(), NoEdges.Instance, output).RollbackAsync(id, CancellationToken.None);
        return (exit, output.ToString());
    }

    public async Task<(int Exit, string Output)> ReleasesAsync()
    {
        var output = new StringWriter();
        var exit = await new ReleaseAdmin(Load(), NoEdges.Instance, output).ListAsync(CancellationToken.None);
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
        foreach (var o in _owned)
        {
            await o.DisposeAsync();
        }

        Dir.Dispose();
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using Tandem.Core.Configuration;
using Tandem.Core.Releases;
using Tandem.Edge;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Edge;

/// <summary>
/// The release tests' setup: primary and standby as real `tandem origin` processes with website
/// buckets, the standby keeping Tandem's files under the prefix "www/" (so each origin's release
/// URL differs), releases written by hand with the S3 API exactly as ReleaseLayout says (files,
/// then the manifest), and edges started with a state folder and a config their admin client can use.
/// </summary>
internal sealed class ReleaseRig : IAsyncDisposable
{
    public const string StandbyPrefix = "www";

    private readonly List<EdgeHost> _edges = [];

    private ReleaseRig(TempDir dir, S3Credentials credentials, OriginProcess primary, OriginProcess standby)
    {
        Dir = dir;
        Credentials = credentials;
        Primary = primary;
        Standby = standby;
    }

    public TempDir Dir { get; }

    public S3Credentials Credentials { get; }

    public OriginProcess Primary { get; }

    public OriginProcess Standby { get; }

    public static async Task<ReleaseRig> StartAsync()
    {
        var dir = new TempDir("tandem-releases");
        var credentials = TestOrigin.NewCredentials();
        var (primary, standby) = await FailoverRig.StartOriginsAsync(dir, credentials);
        var rig = new ReleaseRig(dir, credentials, primary, standby);
        try
        {
            foreach (var o in rig.Origins)
            {
                using var s3 = SiteSetup.Client(o.Origin.S3Url, credentials);
                await SiteSetup.CreateWebsiteBucketAsync(s3);
            }

            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    private IEnumerable<(OriginProcess Origin, string? Prefix)> Origins => [(Primary, null), (Standby, StandbyPrefix)];

    /// <summary>A release whose every file names <paramref name="letter"/>, except shared.txt, which is the same in all.</summary>
    public static SortedDictionary<string, byte[]> Site(string letter) => new(StringComparer.Ordinal)
    {
        ["index.html"] = Encoding.UTF8.GetBytes($"<!doctype html><title>{letter}</title><p>page {letter}</p>\n"),
        ["app.js"] = Encoding.UTF8.GetBytes($"// script {letter}\n"),
        ["css/site.css"] = Encoding.UTF8.GetBytes($"/* style {letter} */\n"),
        ["docs/index.html"] = Encoding.UTF8.GetBytes($"<p>docs {letter}</p>\n"),
        ["404.html"] = Encoding.UTF8.GetBytes($"<p>not found {letter}</p>\n"),
        ["shared.txt"] = Encoding.UTF8.GetBytes("the same in every release\n"),
    };

    /// <summary>Uploads a release to both origins (files first, manifest last), as deploy does; returns its id.</summary>
    public async Task<string> UploadAsync(SortedDictionary<string, byte[]> files)
    {
        var entries = files.Select(f =>
        {
            var md5 = Convert.ToHexStringLower(MD5.HashData(f.Value));
            return new ReleaseFile { Path = f.Key, Md5 = md5, Size = f.Value.Length, ETag = $"\"{md5}\"", ContentType = ContentTypes.For(f.Key) };
        }).ToList();
        var id = ReleaseLayout.ComputeId(entries);
        var manifest = new ReleaseManifest { Id = id, Created = DateTimeOffset.UtcNow, Files = entries };
        await Task.WhenAll(Origins.Select(async o =>
        {
            using var s3 = SiteSetup.Client(o.Origin.S3Url, Credentials);
            foreach (var f in entries)
            {
                await PutAsync(s3, ReleaseLayout.ObjectKey(o.Prefix, id, f.Path), files[f.Path], f.ContentType);
            }

            await PutAsync(s3, ReleaseLayout.ManifestKey(o.Prefix, id), manifest.ToJson(), "application/json");
        }));
        return id;
    }

    /// <summary>Writes live.json on both origins.</summary>
    public Task WriteLiveAsync(string id) => Task.WhenAll(Origins.Select(async o =>
    {
        using var s3 = SiteSetup.Client(o.Origin.S3Url, Credentials);
        await PutAsync(s3, ReleaseLayout.LiveKey(o.Prefix), new LivePointer { Id = id, Activated = DateTimeOffset.UtcNow }.ToJson(), "application/json");
    }));

    private static Task<PutObjectResponse> PutAsync(Amazon.S3.AmazonS3Client s3, string key, byte[] bytes, string contentType) =>
        s3.PutObjectAsync(new PutObjectRequest { BucketName = "site", Key = key, InputStream = new MemoryStream(bytes), ContentType = contentType, UseChunkEncoding = false });

    /// <summary>Starts an edge in front of [primary, standby] keeping its state in <paramref name="stateDir"/>.</summary>
    public async Task<EdgeHost> StartEdgeAsync(string stateDir)
    {
        var edge = await EdgeHost.StartAsync(new EdgeOptions
        {
            Name = "edge-test",
            HttpListen = new IPEndPoint(IPAddress.Loopback, 0),
            AdminListen = new IPEndPoint(IPAddress.Loopback, 0),
            AdminToken = EdgeFixture.AdminToken,
            AccessLog = null,
            StateDir = stateDir,
            Origins = new Dictionary<string, OriginConfig>
            {
                ["primary"] = new() { WebsiteEndpoint = Primary.WebsiteUrl, Region = "primary", Connection = EdgeFixture.FastConnection() },
                ["standby"] = new() { WebsiteEndpoint = Standby.WebsiteUrl, Region = "standby", Prefix = StandbyPrefix, Connection = EdgeFixture.FastConnection() },
            },
            Distribution = new DistributionConfig
            {
                OriginGroups = new() { ["site"] = new OriginGroupConfig { Origins = ["primary", "standby"], FailoverStatusCodes = [500, 502, 503, 504] } },
                Behaviors = [new BehaviorConfig { PathPattern = "*", Target = "site" }],
                CustomErrorResponses = [new CustomErrorResponseConfig { ErrorCode = 404, ResponsePagePath = "/404.html", TtlSeconds = 5 }],
            },
        });
        _edges.Add(edge);
        return edge;
    }

    /// <summary>A config naming <paramref name="edge"/> with <paramref name="token"/>, as `tandem deploy` would load it.</summary>
    public LoadedConfig ConfigFor(EdgeHost edge, string token = EdgeFixture.AdminToken)
    {
        var tokenFile = Dir.Combine($"token-{Guid.NewGuid():N}");
        File.WriteAllText(tokenFile, token);
        var config = new TandemConfig
        {
            Edges = new(StringComparer.Ordinal) { ["edge-test"] = new EdgeConfig { AdminUrl = edge.AdminUrl.ToString(), AdminToken = new SecretConfig { File = tokenFile } } },
        };
        return new LoadedConfig(config, Dir.Combine("tandem.json"));
    }

    public async Task StopEdgeAsync(EdgeHost edge)
    {
        _edges.Remove(edge);
        await edge.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var e in _edges)
        {
            await e.DisposeAsync();
        }

        await Primary.DisposeAsync();
        await Standby.DisposeAsync();
        Dir.Dispose();
    }
}

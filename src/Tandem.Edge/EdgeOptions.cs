using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Tandem.Core.Configuration;
using Tandem.Edge.Acme;
using Tandem.Edge.Acme.Sharing;

namespace Tandem.Edge;

/// <summary>Everything one edge process needs, resolved from the config file.</summary>
public sealed partial class EdgeOptions
{
    /// <summary>The edge's name in the config (used in Via and logs).</summary>
    public string Name { get; init; } = "edge";

    public IPEndPoint? HttpListen { get; init; }

    public IPEndPoint? HttpsListen { get; init; }

    public IPEndPoint AdminListen { get; init; } = new(IPAddress.Loopback, 8081);

    /// <summary>PEM certificate chain and key for HTTPS.</summary>
    public string? CertificateFile { get; init; }

    public string? KeyFile { get; init; }

    public bool RedirectHttpToHttps { get; init; }

    /// <summary>Bearer token the admin API requires.</summary>
    public required string AdminToken { get; init; }

    public EdgeCacheConfig Cache { get; init; } = new();

    /// <summary>"stdout", a file path, or null for no access log.</summary>
    public string? AccessLog { get; init; }

    public DistributionConfig Distribution { get; init; } = new();

    /// <summary>
    /// Folder where the edge keeps its release state (live release, known manifests) across
    /// restarts; null keeps it in memory only. From the config: edges.NAME.stateDir, default
    /// ".tandem/edges/NAME" beside the config file.
    /// </summary>
    public string? StateDir { get; init; }

    /// <summary>site.indexDocument: what a website endpoint serves for "/dir/". Default "index.html".</summary>
    public string IndexDocument { get; init; } = "index.html";

    /// <summary>When set, the edge obtains and renews its certificate (CertificateFile, KeyFile) over ACME.</summary>
    public EdgeAcmeOptions? Acme { get; init; }

    /// <summary>
    /// Answer plain GET and HEAD cache hits on HTTP/1.1 below Kestrel's HTTP layer (see
    /// HitFastPath). On unless the environment sets TANDEM_EDGE_FAST_HITS=0.
    /// </summary>
    public bool FastHits { get; init; } = Environment.GetEnvironmentVariable("TANDEM_EDGE_FAST_HITS") != "0";

    /// <summary>How long a visitor connection may sit idle between requests (Kestrel's default, 130 s).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(130);

    /// <summary>How long a visitor may take to send a request's head (Kestrel's default, 30 s).</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The slowest a visitor may read an answer before its connection is cut (Kestrel's default: 240 bytes/s after a 5 s grace).</summary>
    public MinDataRate MinResponseDataRate { get; init; } = new(240, TimeSpan.FromSeconds(5));

    /// <summary>Origins by name, as the config describes them.</summary>
    public required IReadOnlyDictionary<string, OriginConfig> Origins { get; init; }

    /// <summary>Builds the options of edge <paramref name="name"/> in a loaded config.</summary>
    public static EdgeOptions FromConfig(LoadedConfig loaded, string name)
    {
        var config = loaded.Config;
        if (!config.Edges.TryGetValue(name, out var edge))
        {
            throw new ConfigException(loaded.SourcePath, [new ConfigError("$.edges", $"there is no edge named '{name}'; the file has: {string.Join(", ", config.Edges.Keys)}")]);
        }

        var at = $"$.edges.{name}";
        IPEndPoint? Listen(string? value) => value is not null && ListenAddress.TryParse(value, out var ep, out _) ? ep : null;
        var stateDir = loaded.ResolvePath(edge.StateDir ?? Path.Combine(".tandem", "edges", name));
        var acme = edge.Acme is { } a
            ? new EdgeAcmeOptions
            {
                DirectoryUrl = a.DirectoryUrl!,
                Contact = a.Contact is { } contact ? [contact] : [],
                Names = a.Names,
                CaRootFile = a.CaRoot is { } root ? loaded.ResolvePath(root) : null,
                DataDir = a.DataDir is { } data ? loaded.ResolvePath(data) : Path.Combine(stateDir, "acme"),
                RenewBeforeFraction = a.RenewBeforeFraction,
                Share = a.Share is { } share ? OpenShare(loaded, share, at + ".acme.share", a.Names[0]) : null,
                Holder = $"{name}@{Environment.MachineName}/{Environment.ProcessId}",
                ShareDirectory = a.Share?.Directory is { } sharedDir ? loaded.ResolvePath(sharedDir) : null,
            }
            : null;
        if (acme is not null && AcmeStartupCheck.Check(acme, at + ".acme") is { Count: > 0 } problems)
        {
            throw new ConfigException(loaded.SourcePath, problems);
        }
        return new EdgeOptions
        {
            Name = name,
            HttpListen = Listen(edge.HttpListen),
            HttpsListen = Listen(edge.HttpsListen),
            AdminListen = Listen(edge.AdminListen)!,
            CertificateFile = acme?.CertificateFile ?? (edge.Tls is { } tls ? loaded.ResolvePath(tls.CertificateFile) : null),
            KeyFile = acme?.KeyFile ?? (edge.Tls is { } tls2 ? loaded.ResolvePath(tls2.KeyFile) : null),
            RedirectHttpToHttps = edge.RedirectHttpToHttps,
            AdminToken = SecretResolver.Resolve(edge.AdminToken, at + ".adminToken", loaded.ResolvePath),
            Cache = edge.Cache,
            AccessLog = edge.AccessLog is null or "stdout" ? edge.AccessLog : loaded.ResolvePath(edge.AccessLog),
            Distribution = config.Distribution,
            StateDir = stateDir,
            Acme = acme,
            IndexDocument = config.Site.IndexDocument,
            Origins = config.Origins,
        };
    }
}

public sealed partial class EdgeOptions
{
    /// <summary>The share edges.NAME.acme.share names; credentials that cannot be found are a <see cref="ConfigException"/> naming the setting.</summary>
    private static CertificateShare OpenShare(LoadedConfig loaded, AcmeShareConfig share, string at, string firstName)
    {
        if (share.Directory is { } directory)
        {
            return new DirectoryShare(loaded.ResolvePath(directory));
        }

        var origin = loaded.Config.Origins[share.Origin!];
        var credentials = CredentialResolver.Resolve(origin.Credentials ?? new CredentialsConfig(), $"$.origins.{share.Origin}.credentials", loaded.ResolvePath);
        var region = origin.S3Region ?? origin.Server?.SigningRegion ?? "us-east-1";
        return new S3Share(origin.S3Endpoint!, share.Bucket ?? AcmeShareConfig.DefaultBucket, share.Prefix ?? firstName + "/", region, origin.PathStyle, credentials);
    }
}

/// <summary>edges.NAME.acme, resolved: where to get the certificate and where to keep it.</summary>
public sealed class EdgeAcmeOptions
{
    public required Uri DirectoryUrl { get; init; }

    public IReadOnlyList<string> Contact { get; init; } = [];

    /// <summary>Names the certificate covers; the first is its subject.</summary>
    public required IReadOnlyList<string> Names { get; init; }

    /// <summary>PEM root trusted for the directory's HTTPS, besides the system's; null for the system's only.</summary>
    public string? CaRootFile { get; init; }

    /// <summary>Account key and URL, certificate chain (cert.pem) and key (key.pem).</summary>
    public required string DataDir { get; init; }

    public double RenewBeforeFraction { get; init; } = 0.3333;

    /// <summary>Where edges serving the same names keep one certificate; null when this edge keeps its own.</summary>
    public CertificateShare? Share { get; init; }

    /// <summary>The first wait after a failed attempt (doubling to an hour). Default 30 s; tests shorten it.</summary>
    public TimeSpan FirstRetry { get; init; } = AcmeSchedule.FirstRetry;

    /// <summary>The share's folder when the share is a folder (checked at start).</summary>
    public string? ShareDirectory { get; init; }

    /// <summary>How this edge names itself in the share's lease: edge, machine and process.</summary>
    public string Holder { get; init; } = "edge";

    public string CertificateFile => Path.Combine(DataDir, "cert.pem");

    public string KeyFile => Path.Combine(DataDir, "key.pem");
}

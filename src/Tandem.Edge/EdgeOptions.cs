using System.Net;
using Tandem.Core.Configuration;

namespace Tandem.Edge;

/// <summary>Everything one edge process needs, resolved from the config file.</summary>
public sealed class EdgeOptions
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
        return new EdgeOptions
        {
            Name = name,
            HttpListen = Listen(edge.HttpListen),
            HttpsListen = Listen(edge.HttpsListen),
            AdminListen = Listen(edge.AdminListen)!,
            CertificateFile = edge.Tls is { } tls ? loaded.ResolvePath(tls.CertificateFile) : null,
            KeyFile = edge.Tls is { } tls2 ? loaded.ResolvePath(tls2.KeyFile) : null,
            RedirectHttpToHttps = edge.RedirectHttpToHttps,
            AdminToken = SecretResolver.Resolve(edge.AdminToken, at + ".adminToken", loaded.ResolvePath),
            Cache = edge.Cache,
            AccessLog = edge.AccessLog is null or "stdout" ? edge.AccessLog : loaded.ResolvePath(edge.AccessLog),
            Distribution = config.Distribution,
            StateDir = loaded.ResolvePath(edge.StateDir ?? Path.Combine(".tandem", "edges", name)),
            IndexDocument = config.Site.IndexDocument,
            Origins = config.Origins,
        };
    }
}

using System.Net;
using Tandem.Core.Configuration;
using Tandem.Origin.S3;

namespace Tandem.Origin;

/// <summary>Everything an origin process needs, resolved from the config file or command line.</summary>
public sealed class OriginOptions
{
    /// <summary>Where buckets and objects live.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>S3 API listener. Port 0 picks a free port.</summary>
    public IPEndPoint S3Listen { get; init; } = new(IPAddress.Loopback, 9000);

    /// <summary>Website endpoint listener. Port 0 picks a free port.</summary>
    public IPEndPoint WebsiteListen { get; init; } = new(IPAddress.Loopback, 9001);

    /// <summary>Access keys the S3 API accepts. Writes without one of them are refused.</summary>
    public required IReadOnlyList<S3Credentials> Credentials { get; init; }

    /// <summary>S3 API settings (base domain, region, size limits).</summary>
    public S3ApiOptions S3 { get; init; } = new();

    /// <summary>Bucket the website endpoint serves when the Host header names no bucket.</summary>
    public string? DefaultBucket { get; init; }

    /// <summary>fsync every object before it becomes visible. Default true.</summary>
    public bool Fsync { get; init; } = true;

    /// <summary>Builds the options for origin <paramref name="name"/> of a loaded config.</summary>
    public static OriginOptions FromConfig(LoadedConfig loaded, string name)
    {
        if (!loaded.Config.Origins.TryGetValue(name, out var origin))
        {
            throw new ConfigException(loaded.SourcePath, [new ConfigError("$.origins", $"there is no origin named '{name}'; the file has: {string.Join(", ", loaded.Config.Origins.Keys)}")]);
        }

        var at = $"$.origins.{name}";
        if (origin.Server is not { } server)
        {
            throw new ConfigException(loaded.SourcePath, [new ConfigError(at + ".server", $"origin '{name}' has no \"server\" section, so Tandem does not run it; add one with dataDir, s3Listen and websiteListen")]);
        }

        // Validation has already checked both addresses.
        _ = ListenAddress.TryParse(server.S3Listen, out var s3, out _);
        _ = ListenAddress.TryParse(server.WebsiteListen, out var web, out _);
        var credentials = CredentialResolver.Resolve(origin.Credentials ?? new CredentialsConfig(), at + ".credentials", loaded.ResolvePath);
        return new OriginOptions
        {
            DataDirectory = loaded.ResolvePath(server.DataDir),
            S3Listen = s3,
            WebsiteListen = web,
            Credentials = [credentials],
            DefaultBucket = origin.Bucket,
            Fsync = server.Fsync,
            S3 = new S3ApiOptions
            {
                BaseDomain = server.BaseDomain,
                Region = server.SigningRegion,
                MaxObjectBytes = server.MaxObjectBytes,
            },
        };
    }
}

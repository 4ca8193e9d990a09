namespace Tandem.Core.Configuration;

/// <summary>
/// How <c>tandem deploy</c> turns the site folder into a release on every origin: what is left
/// out, which headers each file carries, how many releases are kept.
/// </summary>
public sealed record DeployConfig
{
    /// <summary>
    /// Files the folder no longer has are left out of the new release. Default true. When false,
    /// the new release keeps every file of the live release that the folder lacks.
    /// </summary>
    public bool Delete { get; init; } = true;

    /// <summary>Releases kept on each origin, the live one included; older ones are removed. Default 5.</summary>
    public int KeepReleases { get; init; } = 5;

    /// <summary>Uploads and copies in flight per origin. Default 16.</summary>
    public int Parallelism { get; init; } = 16;

    /// <summary>
    /// Patterns of files never deployed, matched against the file's URL path ("/css/site.css"):
    /// "*" matches any run of characters including "/", "?" one character; a pattern starting
    /// with neither "/" nor "*" is taken from the root. Default: ".git/*", ".DS_Store", "*/.DS_Store".
    /// </summary>
    public List<string> Exclude { get; init; } = [".git/*", ".DS_Store", "*/.DS_Store"];

    /// <summary>Content-Type by file extension (".webmanifest": "application/manifest+json"), over the built-in table.</summary>
    public Dictionary<string, string> ContentTypes { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Headers by path pattern, in order; the first rule whose pattern matches a file applies to it.</summary>
    public List<DeployHeaderRule> Headers { get; init; } = [];

    /// <summary>
    /// Changed paths past this many are folded to wildcards ("/blog/*") in the invalidation sent
    /// to the edges after a release goes live. Default 20.
    /// </summary>
    public int InvalidationWildcardThreshold { get; init; } = 20;

    /// <summary>
    /// File of content hashes kept between deploys, so unchanged files (same size and modification
    /// time) are not read again. Relative to the config file. Default ".tandem/deploy-hashes.tsv".
    /// </summary>
    public string HashCache { get; init; } = ".tandem/deploy-hashes.tsv";
}

/// <summary>Headers for the files a path pattern matches.</summary>
public sealed record DeployHeaderRule
{
    /// <summary>Pattern as in <see cref="DeployConfig.Exclude"/>, such as "*.html" or "/assets/*".</summary>
    public string PathPattern { get; init; } = "*";

    /// <summary>Cache-Control stored with the object, such as "no-cache" or "public, max-age=31536000, immutable".</summary>
    public string? CacheControl { get; init; }

    /// <summary>Content-Type that overrides the one from the extension.</summary>
    public string? ContentType { get; init; }

    /// <summary>Other headers stored with the object (Content-Language, Content-Disposition, x-amz-meta-*).</summary>
    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}

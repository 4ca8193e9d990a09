namespace Tandem.Core.Configuration;

/// <summary>
/// One file describes a whole deployment: the site, its origins and (as the other roles arrive)
/// edges, DNS, monitor and deploy rules. Every process and command reads the same file.
/// </summary>
public sealed record TandemConfig
{
    /// <summary>The site being kept online.</summary>
    public SiteConfig Site { get; init; } = new();

    /// <summary>Origins by name. A name is how other sections refer to an origin.</summary>
    public Dictionary<string, OriginConfig> Origins { get; init; } = new(StringComparer.Ordinal);

    /// <summary>What the edges serve and how they reach the origins.</summary>
    public DistributionConfig Distribution { get; init; } = new();

    /// <summary>Edge nodes by name.</summary>
    public Dictionary<string, EdgeConfig> Edges { get; init; } = new(StringComparer.Ordinal);

    /// <summary>How <c>tandem deploy</c> turns the site folder into releases on every origin.</summary>
    public DeployConfig Deploy { get; init; } = new();
    public DnsConfig Dns { get; init; } = new();

    /// <summary>The monitor: scraping, series, alarms and the dashboard.</summary>
    public MonitorConfig Monitor { get; init; } = new();
}

/// <summary>The static site itself.</summary>
public sealed record SiteConfig
{
    /// <summary>A short name used in logs and reports. Default "site".</summary>
    public string Name { get; init; } = "site";

    /// <summary>Folder with the site's files, relative to the config file. Default "examples/site".</summary>
    public string Root { get; init; } = "examples/site";

    /// <summary>Served for "/" and every folder. Default "index.html", as S3 website hosting.</summary>
    public string IndexDocument { get; init; } = "index.html";

    /// <summary>Served with the original 4xx status. Default "404.html".</summary>
    public string? ErrorDocument { get; init; } = "404.html";
}

/// <summary>
/// An origin: a bucket with website hosting in one region. It may be a Tandem origin run from
/// this file (<see cref="Server"/> set) or any S3-compatible service reached by URL.
/// </summary>
public sealed record OriginConfig
{
    /// <summary>A region label shown in status and reports, such as "us-east".</summary>
    public string? Region { get; init; }

    /// <summary>The bucket that holds the site on this origin.</summary>
    public string Bucket { get; init; } = "site";

    /// <summary>Base URL of the S3 API, for example "http://127.0.0.1:9000".</summary>
    public string? S3Endpoint { get; init; }

    /// <summary>Base URL of the website endpoint that edges fetch from.</summary>
    public string? WebsiteEndpoint { get; init; }

    /// <summary>
    /// Key prefix inside the bucket under which Tandem keeps everything it writes (releases and
    /// its own <c>_tandem/</c> records), such as "www/". Default none: the bucket's root.
    /// </summary>
    public string? Prefix { get; init; }

    /// <summary>
    /// Region used to sign S3 API calls, such as "us-west-2". Default: the Tandem server's
    /// signingRegion, else "us-east-1" (what MinIO and Garage accept unless set otherwise).
    /// </summary>
    public string? S3Region { get; init; }

    /// <summary>Address buckets as ENDPOINT/BUCKET (path style) rather than BUCKET.ENDPOINT. Default true.</summary>
    public bool PathStyle { get; init; } = true;

    /// <summary>Where the S3 access key comes from. Secrets never sit in this file.</summary>
    public CredentialsConfig? Credentials { get; init; }

    /// <summary>Set when Tandem runs this origin itself (<c>tandem origin NAME</c>).</summary>
    public OriginServerConfig? Server { get; init; }

    /// <summary>How edges connect to this origin's website endpoint and check its health.</summary>
    public OriginConnectionConfig Connection { get; init; } = new();
}

/// <summary>
/// Names where an access key pair is found: either two environment variables, or a file in the
/// AWS shared-credentials format (so the AWS CLI can use the same file with --profile).
/// </summary>
public sealed record CredentialsConfig
{
    /// <summary>Environment variable holding the access key id.</summary>
    public string? AccessKeyIdEnv { get; init; }

    /// <summary>Environment variable holding the secret access key.</summary>
    public string? SecretAccessKeyEnv { get; init; }

    /// <summary>Path of an AWS shared-credentials file, relative to the config file.</summary>
    public string? File { get; init; }

    /// <summary>Profile (section) in <see cref="File"/>. Default "default".</summary>
    public string? Profile { get; init; }
}

/// <summary>How a Tandem origin process listens and stores.</summary>
public sealed record OriginServerConfig
{
    /// <summary>Data directory, relative to the config file.</summary>
    public string DataDir { get; init; } = ".tandem/origin";

    /// <summary>Address of the S3 API listener, "host:port". Port 0 picks a free port.</summary>
    public string S3Listen { get; init; } = "127.0.0.1:9000";

    /// <summary>Address of the website listener, "host:port".</summary>
    public string WebsiteListen { get; init; } = "127.0.0.1:9001";

    /// <summary>
    /// Base domain for virtual-hosted addressing: a Host of "BUCKET.DOMAIN" names BUCKET, on the
    /// S3 API and on the website endpoint. Default "localhost".
    /// </summary>
    public string? BaseDomain { get; init; } = "localhost";

    /// <summary>
    /// The region this origin signs and reports (GetBucketLocation). Default "us-east-1".
    /// </summary>
    public string SigningRegion { get; init; } = "us-east-1";

    /// <summary>Largest single PUT body in bytes. Default 5 GiB, S3's own limit.</summary>
    public long MaxObjectBytes { get; init; } = 5L * 1024 * 1024 * 1024;

    /// <summary>
    /// Call fsync on every object before it becomes visible. Default true: a power cut never
    /// leaves a renamed but empty file.
    /// </summary>
    public bool Fsync { get; init; } = true;
}

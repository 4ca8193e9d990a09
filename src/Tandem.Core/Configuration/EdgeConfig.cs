namespace Tandem.Core.Configuration;

/// <summary>
/// What every edge serves and how it reaches the origins: CloudFront's "distribution". Node
/// settings (listeners, certificates, cache size) are per edge, in <see cref="EdgeConfig"/>.
/// </summary>
public sealed record DistributionConfig
{
    /// <summary>Object served for a request of "/". Default "index.html" (CloudFront's default root object).</summary>
    public string? DefaultRootObject { get; init; } = "index.html";

    /// <summary>Origin groups by name: an ordered list of origins that fail over to each other.</summary>
    public Dictionary<string, OriginGroupConfig> OriginGroups { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Behaviors in order; the first whose path pattern matches a request applies. The last one
    /// should be "*". Default: one behavior "*" to the first origin group (or origin).
    /// </summary>
    public List<BehaviorConfig> Behaviors { get; init; } = [];

    /// <summary>Responses that replace an origin's error, as CloudFront's custom error responses.</summary>
    public List<CustomErrorResponseConfig> CustomErrorResponses { get; init; } = [];

    /// <summary>Security headers added to every response (a header the origin sent wins unless Override).</summary>
    public SecurityHeadersConfig SecurityHeaders { get; init; } = new();

    /// <summary>
    /// Seconds a visitor stays on the release its page came from: requests for a page's assets
    /// carry a cookie naming the release, so a deploy or rollback in the middle of a page load
    /// never mixes two releases. Pages themselves always come from the live release. 0 turns it off.
    /// Default 300.
    /// </summary>
    public int ReleasePinSeconds { get; init; } = 300;
}

/// <summary>An ordered list of two or more origins with the conditions that make a request move on.</summary>
public sealed record OriginGroupConfig
{
    /// <summary>Origin names in order of preference: the first is the primary.</summary>
    public List<string> Origins { get; init; } = [];

    /// <summary>
    /// Origin statuses that send the same request to the next origin. Default 500, 502, 503, 504
    /// (CloudFront's CDK default); the reference runbook adds 403 and 404, for a bucket whose
    /// website configuration was removed.
    /// </summary>
    public List<int> FailoverStatusCodes { get; init; } = [500, 502, 503, 504];
}

/// <summary>A path pattern and how matching requests are served.</summary>
public sealed record BehaviorConfig
{
    /// <summary>Pattern as CloudFront's: "*" any, "?" one character, case-sensitive; "/images/*.png".</summary>
    public string PathPattern { get; init; } = "*";

    /// <summary>Name of an origin group or of a single origin.</summary>
    public string Target { get; init; } = "";

    /// <summary>Time-to-live bounds applied to what the origin says.</summary>
    public CachePolicyConfig CachePolicy { get; init; } = new();

    /// <summary>Compress text responses with brotli or gzip for clients that accept it. Default true.</summary>
    public bool Compress { get; init; } = true;

    /// <summary>Methods allowed; others get 403 as CloudFront answers. Default GET, HEAD, OPTIONS.</summary>
    public List<string> AllowedMethods { get; init; } = ["GET", "HEAD", "OPTIONS"];
}

/// <summary>
/// TTL bounds in seconds, as CloudFront's cache policy: the origin's max-age/s-maxage/Expires is
/// clamped into [MinTtl, MaxTtl], and DefaultTtl applies when the origin says nothing.
/// </summary>
public sealed record CachePolicyConfig
{
    /// <summary>Default 0: the origin's no-cache and no-store are honoured.</summary>
    public long MinTtl { get; init; }

    /// <summary>Default 86400 (one day), CloudFront's default.</summary>
    public long DefaultTtl { get; init; } = 86400;

    /// <summary>Default 31536000 (one year), CloudFront's default.</summary>
    public long MaxTtl { get; init; } = 31536000;

    /// <summary>
    /// Seconds a cached copy may still be served after it expired while every origin fails,
    /// beyond what stale-if-error allows. Default 86400: the site stays up for a day of total outage.
    /// </summary>
    public long StaleIfErrorTtl { get; init; } = 86400;

    /// <summary>Include the query string in the cache key. Default false (CloudFront's default).</summary>
    public bool QueryStringInKey { get; init; }
}

/// <summary>Replace an origin error status with a page of the site, cached for its own TTL.</summary>
public sealed record CustomErrorResponseConfig
{
    public int ErrorCode { get; init; }

    /// <summary>Path of the page to serve instead, for example "/404.html".</summary>
    public string? ResponsePagePath { get; init; }

    /// <summary>Status to send with the page. Default: the original error code.</summary>
    public int? ResponseCode { get; init; }

    /// <summary>How long the error response is cached, in seconds. Default 10 (CloudFront's error caching minimum TTL).</summary>
    public long TtlSeconds { get; init; } = 10;
}

/// <summary>Response headers that harden a static site.</summary>
public sealed record SecurityHeadersConfig
{
    /// <summary>Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Replace the origin's own values too. Default false.</summary>
    public bool Override { get; init; }

    /// <summary>
    /// Header name to value. Defaults: X-Content-Type-Options nosniff, X-Frame-Options SAMEORIGIN,
    /// Referrer-Policy strict-origin-when-cross-origin, and Strict-Transport-Security on HTTPS only.
    /// </summary>
    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["X-Content-Type-Options"] = "nosniff",
        ["X-Frame-Options"] = "SAMEORIGIN",
        ["Referrer-Policy"] = "strict-origin-when-cross-origin",
    };

    /// <summary>Strict-Transport-Security value sent on HTTPS responses; null to leave it out. Default max-age=31536000.</summary>
    public string? StrictTransportSecurity { get; init; } = "max-age=31536000";
}

/// <summary>One edge node: where it listens and how much it caches.</summary>
public sealed record EdgeConfig
{
    /// <summary>HTTP listener, "host:port". Default "127.0.0.1:8080".</summary>
    public string? HttpListen { get; init; } = "127.0.0.1:8080";

    /// <summary>HTTPS listener; needs Tls. Default none.</summary>
    public string? HttpsListen { get; init; }

    /// <summary>Admin API (invalidation, status, metrics) listener. Default "127.0.0.1:8081".</summary>
    public string AdminListen { get; init; } = "127.0.0.1:8081";

    /// <summary>Base URL other commands use to reach the admin API. Default derived from AdminListen.</summary>
    public string? AdminUrl { get; init; }

    /// <summary>Where the admin API token comes from (an environment variable or a file). Required.</summary>
    public SecretConfig? AdminToken { get; init; }

    /// <summary>Certificate and key for HTTPS, PEM files; picked up again when they change.</summary>
    public TlsConfig? Tls { get; init; }

    /// <summary>Answer plain HTTP with a 301 to HTTPS. Default false.</summary>
    public bool RedirectHttpToHttps { get; init; }

    /// <summary>Cache size and limits.</summary>
    public EdgeCacheConfig Cache { get; init; } = new();

    /// <summary>Access log: "stdout", a file path, or null for none. Default "stdout".</summary>
    public string? AccessLog { get; init; } = "stdout";

    /// <summary>
    /// Folder where the edge keeps what must survive a restart (the live release and its
    /// manifest), relative to the config file. Default ".tandem/edges/NAME".
    /// </summary>
    public string? StateDir { get; init; }

    /// <summary>Obtain and renew the HTTPS certificate over ACME (HTTP-01 on httpListen) instead of tls files. Default none.</summary>
    public AcmeConfig? Acme { get; init; }
}

/// <summary>An ACME certificate authority the edge gets its certificate from.</summary>
public sealed record AcmeConfig
{
    public const string LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory";

    public const string LetsEncryptStaging = "https://acme-staging-v02.api.letsencrypt.org/directory";

    /// <summary>Directory URL, or "letsencrypt" / "letsencrypt-staging". Required.</summary>
    public string? Directory { get; init; }

    /// <summary>Account contact such as "mailto:ops@example.org". Optional.</summary>
    public string? Contact { get; init; }

    /// <summary>DNS names (or IP addresses) the certificate covers. Required, non-empty.</summary>
    public List<string> Names { get; init; } = [];

    /// <summary>PEM file with a root to trust for the directory's HTTPS (a private CA); relative to the config. Optional.</summary>
    public string? CaRoot { get; init; }

    /// <summary>Folder for the account key, certificate and key. Default the edge's stateDir + "/acme".</summary>
    public string? DataDir { get; init; }

    /// <summary>Renew when this fraction of the certificate's lifetime is left. Default 0.3333.</summary>
    public double RenewBeforeFraction { get; init; } = 0.3333;

    /// <summary>
    /// Where edges serving the same names keep one certificate between them (and the HTTP-01
    /// answers of an order in progress, so whichever edge the CA reaches can answer). Default
    /// none: this edge obtains its own.
    /// </summary>
    public AcmeShareConfig? Share { get; init; }

    /// <summary>The directory URL with the well-known names mapped; null when it is not an absolute http(s) URL.</summary>
    public Uri? DirectoryUrl => Directory switch
    {
        "letsencrypt" => new Uri(LetsEncrypt),
        "letsencrypt-staging" => new Uri(LetsEncryptStaging),
        { } d when Uri.TryCreate(d, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) => u,
        _ => null,
    };
}

/// <summary>
/// One certificate for several edges: in a folder they all mount, or in a private bucket on an
/// origin's S3 API. Exactly one of <see cref="Directory"/> and <see cref="Origin"/>.
/// </summary>
public sealed record AcmeShareConfig
{
    public const string DefaultBucket = "tandem-acme";

    /// <summary>A folder every sharing edge can read and write (a shared mount), relative to the config.</summary>
    public string? Directory { get; init; }

    /// <summary>An origin (by name) whose S3 API holds the shared certificate, with that origin's credentials.</summary>
    public string? Origin { get; init; }

    /// <summary>Private bucket on <see cref="Origin"/>, never the site's bucket. Default "tandem-acme"; created when missing.</summary>
    public string? Bucket { get; init; }

    /// <summary>Key prefix in the bucket, such as "www.example.org/". Default: the first name followed by "/".</summary>
    public string? Prefix { get; init; }
}

/// <summary>A secret named by environment variable or file, never written in the config.</summary>
public sealed record SecretConfig
{
    public string? Env { get; init; }

    public string? File { get; init; }
}

/// <summary>PEM certificate chain and private key files.</summary>
public sealed record TlsConfig
{
    public string CertificateFile { get; init; } = "";

    public string KeyFile { get; init; } = "";
}

/// <summary>The edge's cache.</summary>
public sealed record EdgeCacheConfig
{
    /// <summary>Bytes of bodies and headers held in memory. Default 256 MiB.</summary>
    public long MaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Objects larger than this stream through without being cached. Default 8 MiB.</summary>
    public long MaxObjectBytes { get; init; } = 8L * 1024 * 1024;

    /// <summary>Seconds an origin error (5xx, or 4xx without a custom error response) is cached. Default 10.</summary>
    public long ErrorTtl { get; init; } = 10;

    /// <summary>Longest a request waits for another request's fetch of the same key, in ms. Default 10000.</summary>
    public int CollapseWaitMs { get; init; } = 10000;
}

/// <summary>How an edge talks to one origin, and how it checks its health.</summary>
public sealed record OriginConnectionConfig
{
    /// <summary>Host header sent to the origin. Default: the website endpoint's host.</summary>
    public string? HostHeader { get; init; }

    /// <summary>Prefix added to every request path, for example "/releases/42". Default none.</summary>
    public string? OriginPath { get; init; }

    /// <summary>Milliseconds to wait for a TCP connection. Default 1000 (CloudFront: 10 s).</summary>
    public int ConnectTimeoutMs { get; init; } = 1000;

    /// <summary>Connection attempts before the origin counts as failed. Default 1 (CloudFront: 3).</summary>
    public int ConnectionAttempts { get; init; } = 1;

    /// <summary>Milliseconds to wait for response headers (and between body reads). Default 5000 (CloudFront: 30 s).</summary>
    public int ResponseTimeoutMs { get; init; } = 5000;

    /// <summary>Active health probe.</summary>
    public HealthCheckConfig HealthCheck { get; init; } = new();
}

/// <summary>Active probing and the thresholds that move an origin between healthy and unhealthy.</summary>
public sealed record HealthCheckConfig
{
    /// <summary>Path probed with GET. Default "/".</summary>
    public string Path { get; init; } = "/";

    /// <summary>Milliseconds between probes. Default 1000.</summary>
    public int IntervalMs { get; init; } = 1000;

    /// <summary>Milliseconds a probe may take. Default 1000.</summary>
    public int TimeoutMs { get; init; } = 1000;

    /// <summary>Consecutive failures (probes or real requests) that make an origin unhealthy. Default 2.</summary>
    public int UnhealthyThreshold { get; init; } = 2;

    /// <summary>Consecutive good probes that make an unhealthy origin healthy again. Default 3 (hysteresis).</summary>
    public int HealthyThreshold { get; init; } = 3;
}

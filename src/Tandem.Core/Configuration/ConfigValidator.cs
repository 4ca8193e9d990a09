using System.Net;
using System.Text.RegularExpressions;

namespace Tandem.Core.Configuration;

/// <summary>Checks the meaning of a parsed config and collects every problem before reporting.</summary>
public static partial class ConfigValidator
{
    /// <summary>Returns every error in <paramref name="config"/>; empty when it is usable.</summary>
    /// <param name="baseDirectory">Folder relative paths are resolved against (the config's); files are only checked when given.</param>
    public static IReadOnlyList<ConfigError> Validate(TandemConfig config, string? baseDirectory = null)
    {
        var errors = new List<ConfigError>();
        ValidateSite(config.Site, errors);

        if (config.Origins.Count == 0)
        {
            errors.Add(new ConfigError("$.origins", "no origins are defined; add at least one, for example \"primary\": { \"bucket\": \"site\", ... }"));
        }

        var listeners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var dataDirs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, origin) in config.Origins)
        {
            var at = $"$.origins.{name}";
            if (!NamePattern().IsMatch(name))
            {
                errors.Add(new ConfigError(at, $"origin name '{name}' must be 1-63 lower-case letters, digits or '-', starting with a letter"));
            }

            if (origin is null)
            {
                errors.Add(new ConfigError(at, "origin is null; give it at least a bucket"));
                continue;
            }

            if (BucketNames.Check(origin.Bucket) is { } bucketProblem)
            {
                errors.Add(new ConfigError($"{at}.bucket", bucketProblem));
            }

            if (origin.Prefix is { } prefix && (prefix.StartsWith('/') || prefix.Contains("//", StringComparison.Ordinal) || prefix.Split('/').Any(s => s is "." or "..")))
            {
                errors.Add(new ConfigError($"{at}.prefix", $"'{prefix}' must be a key prefix such as \"www/\": no leading '/', no empty, '.' or '..' segments"));
            }

            if (origin.S3Region is { } region && !RegionPattern().IsMatch(region))
            {
                errors.Add(new ConfigError($"{at}.s3Region", $"'{region}' is not a region name such as \"us-west-2\""));
            }

            CheckUrl(origin.S3Endpoint, $"{at}.s3Endpoint", errors);
            CheckUrl(origin.WebsiteEndpoint, $"{at}.websiteEndpoint", errors);
            if (origin.Credentials is { } creds)
            {
                CheckCredentials(creds, $"{at}.credentials", errors);
            }

            if (origin.Server is { } server)
            {
                CheckListen(server.S3Listen, $"{at}.server.s3Listen", listeners, errors);
                CheckListen(server.WebsiteListen, $"{at}.server.websiteListen", listeners, errors);
                if (string.IsNullOrWhiteSpace(server.DataDir))
                {
                    errors.Add(new ConfigError($"{at}.server.dataDir", "dataDir is empty; name a folder such as \".tandem/primary\""));
                }
                else if (dataDirs.TryGetValue(server.DataDir, out var other))
                {
                    errors.Add(new ConfigError($"{at}.server.dataDir", $"'{server.DataDir}' is also the data directory of {other}; each origin needs its own"));
                }
                else
                {
                    dataDirs[server.DataDir] = at;
                }

                if (server.MaxObjectBytes <= 0)
                {
                    errors.Add(new ConfigError($"{at}.server.maxObjectBytes", "must be a positive number of bytes"));
                }

                if (string.IsNullOrWhiteSpace(server.SigningRegion))
                {
                    errors.Add(new ConfigError($"{at}.server.signingRegion", "must name a region such as \"us-east-1\""));
                }
            }
            else if (origin.S3Endpoint is null && origin.WebsiteEndpoint is null)
            {
                errors.Add(new ConfigError(at, "give either \"server\" (Tandem runs this origin) or \"s3Endpoint\"/\"websiteEndpoint\" (an existing service)"));
            }
        }

        ValidateDistribution(config, errors);
        ValidateDeploy(config.Deploy, errors);
        ValidateDns(config, listeners, errors);
        ValidateMonitor(config, listeners, errors);
        foreach (var (name, edge) in config.Edges)
        {
            ValidateEdge(name, edge, listeners, errors);
            if (edge.Acme is { } acme)
            {
                ValidateAcme($"$.edges.{name}", edge, acme, config.Origins, baseDirectory, errors);
            }
        }

        return errors;
    }

    // CloudFront accepts exactly these as failover criteria.
    private static readonly int[] FailoverCodes = [400, 403, 404, 416, 500, 502, 503, 504];

    private static void ValidateDistribution(TandemConfig config, List<ConfigError> errors)
    {
        var d = config.Distribution;
        if (d.ReleasePinSeconds is < 0 or > 86400)
        {
            errors.Add(new ConfigError("$.distribution.releasePinSeconds", "must be 0 (off) to 86400 seconds"));
        }
        foreach (var (name, group) in d.OriginGroups)
        {
            var at = $"$.distribution.originGroups.{name}";
            if (!NamePattern().IsMatch(name))
            {
                errors.Add(new ConfigError(at, $"origin group name '{name}' must be 1-63 lower-case letters, digits or '-', starting with a letter"));
            }

            if (config.Origins.ContainsKey(name))
            {
                errors.Add(new ConfigError(at, $"'{name}' is also an origin's name; behaviors name either, so give the group its own name"));
            }

            if (group.Origins.Count < 2)
            {
                errors.Add(new ConfigError($"{at}.origins", "an origin group needs two or more origins, in order of preference"));
            }

            for (var i = 0; i < group.Origins.Count; i++)
            {
                if (!config.Origins.ContainsKey(group.Origins[i]))
                {
                    errors.Add(new ConfigError($"{at}.origins[{i}]", $"there is no origin named '{group.Origins[i]}' (origins: {string.Join(", ", config.Origins.Keys)})"));
                }
                else if (group.Origins.IndexOf(group.Origins[i]) != i)
                {
                    errors.Add(new ConfigError($"{at}.origins[{i}]", $"'{group.Origins[i]}' is listed twice"));
                }
            }

            for (var i = 0; i < group.FailoverStatusCodes.Count; i++)
            {
                if (Array.IndexOf(FailoverCodes, group.FailoverStatusCodes[i]) < 0)
                {
                    errors.Add(new ConfigError($"{at}.failoverStatusCodes[{i}]", $"{group.FailoverStatusCodes[i]} cannot trigger failover; use any of {string.Join(", ", FailoverCodes)}"));
                }
            }
        }

        for (var i = 0; i < d.Behaviors.Count; i++)
        {
            var b = d.Behaviors[i];
            var at = $"$.distribution.behaviors[{i}]";
            if (string.IsNullOrEmpty(b.PathPattern))
            {
                errors.Add(new ConfigError($"{at}.pathPattern", "is empty; use \"*\" for everything or a pattern such as \"/assets/*\""));
            }

            if (!d.OriginGroups.ContainsKey(b.Target) && !config.Origins.ContainsKey(b.Target))
            {
                errors.Add(new ConfigError($"{at}.target", $"'{b.Target}' is neither an origin group nor an origin (groups: {string.Join(", ", d.OriginGroups.Keys)}; origins: {string.Join(", ", config.Origins.Keys)})"));
            }

            var p = b.CachePolicy;
            if (p.MinTtl < 0 || p.DefaultTtl < 0 || p.MaxTtl < 0 || p.StaleIfErrorTtl < 0)
            {
                errors.Add(new ConfigError($"{at}.cachePolicy", "TTLs are seconds and cannot be negative"));
            }
            else if (p.MinTtl > p.DefaultTtl || p.DefaultTtl > p.MaxTtl)
            {
                errors.Add(new ConfigError($"{at}.cachePolicy", $"needs minTtl <= defaultTtl <= maxTtl (got {p.MinTtl}, {p.DefaultTtl}, {p.MaxTtl})"));
            }

            foreach (var m in b.AllowedMethods)
            {
                if (m is not ("GET" or "HEAD" or "OPTIONS" or "PUT" or "POST" or "PATCH" or "DELETE"))
                {
                    errors.Add(new ConfigError($"{at}.allowedMethods", $"'{m}' is not an HTTP method an edge forwards (GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE)"));
                }
            }
        }

        for (var i = 0; i < d.CustomErrorResponses.Count; i++)
        {
            var e = d.CustomErrorResponses[i];
            var at = $"$.distribution.customErrorResponses[{i}]";
            if (e.ErrorCode is < 400 or > 599)
            {
                errors.Add(new ConfigError($"{at}.errorCode", $"{e.ErrorCode} is not a 4xx or 5xx status"));
            }

            if (e.ResponsePagePath is { } page && !page.StartsWith('/'))
            {
                errors.Add(new ConfigError($"{at}.responsePagePath", $"'{page}' must start with '/', such as \"/404.html\""));
            }

            if (e.ResponseCode is { } code && (code < 200 || code > 599))
            {
                errors.Add(new ConfigError($"{at}.responseCode", $"{code} is not an HTTP status"));
            }

            if (e.TtlSeconds < 0)
            {
                errors.Add(new ConfigError($"{at}.ttlSeconds", "cannot be negative"));
            }
        }

        foreach (var (name, origin) in config.Origins)
        {
            var c = origin?.Connection;
            if (c is null)
            {
                continue;
            }

            var at = $"$.origins.{name}.connection";
            if (c.ConnectTimeoutMs <= 0 || c.ResponseTimeoutMs <= 0)
            {
                errors.Add(new ConfigError(at, "connectTimeoutMs and responseTimeoutMs must be positive milliseconds"));
            }

            if (c.ConnectionAttempts is < 1 or > 3)
            {
                errors.Add(new ConfigError($"{at}.connectionAttempts", "must be 1, 2 or 3"));
            }

            if (c.OriginPath is { Length: > 0 } op && (!op.StartsWith('/') || op.EndsWith('/')))
            {
                errors.Add(new ConfigError($"{at}.originPath", $"'{op}' must start with '/' and not end with one, such as \"/releases/7\""));
            }

            var h = c.HealthCheck;
            if (h.IntervalMs < 100 || h.TimeoutMs <= 0 || h.UnhealthyThreshold < 1 || h.HealthyThreshold < 1)
            {
                errors.Add(new ConfigError($"{at}.healthCheck", "intervalMs must be at least 100, timeoutMs positive, and both thresholds at least 1"));
            }

            if (!h.Path.StartsWith('/'))
            {
                errors.Add(new ConfigError($"{at}.healthCheck.path", $"'{h.Path}' must start with '/'"));
            }
        }
    }

    private static void ValidateEdge(string name, EdgeConfig edge, Dictionary<string, string> listeners, List<ConfigError> errors)
    {
        var at = $"$.edges.{name}";
        if (!NamePattern().IsMatch(name))
        {
            errors.Add(new ConfigError(at, $"edge name '{name}' must be 1-63 lower-case letters, digits or '-', starting with a letter"));
        }

        if (edge.HttpListen is null && edge.HttpsListen is null)
        {
            errors.Add(new ConfigError(at, "give httpListen, httpsListen or both"));
        }

        if (edge.HttpListen is not null)
        {
            CheckListen(edge.HttpListen, $"{at}.httpListen", listeners, errors);
        }

        if (edge.HttpsListen is not null)
        {
            CheckListen(edge.HttpsListen, $"{at}.httpsListen", listeners, errors);
            if (edge.Tls is null && edge.Acme is null)
            {
                errors.Add(new ConfigError($"{at}.tls", "httpsListen needs tls with certificateFile and keyFile (PEM), or acme to obtain them"));
            }
        }

        if (edge.StateDir is { Length: 0 })
        {
            errors.Add(new ConfigError($"{at}.stateDir", "is empty; remove the setting or name a folder such as \".tandem/edges/edge-1\""));
        }

        if (edge.RedirectHttpToHttps && edge.HttpsListen is null)
        {
            errors.Add(new ConfigError($"{at}.redirectHttpToHttps", "there is no httpsListen to redirect to"));
        }

        if (edge.Tls is { } tls && (string.IsNullOrWhiteSpace(tls.CertificateFile) || string.IsNullOrWhiteSpace(tls.KeyFile)))
        {
            errors.Add(new ConfigError($"{at}.tls", "needs both certificateFile and keyFile"));
        }

        CheckListen(edge.AdminListen, $"{at}.adminListen", listeners, errors);
        CheckUrl(edge.AdminUrl, $"{at}.adminUrl", errors);
        if (edge.AdminToken is not { } token || (token.Env is null) == (token.File is null))
        {
            errors.Add(new ConfigError($"{at}.adminToken", "name exactly one of env or file holding the admin API token, such as { \"file\": \".tandem/admin-token\" }"));
        }

        var c = edge.Cache;
        if (c.MaxBytes <= 0 || c.MaxObjectBytes <= 0 || c.MaxObjectBytes > c.MaxBytes)
        {
            errors.Add(new ConfigError($"{at}.cache", "maxBytes and maxObjectBytes must be positive, with maxObjectBytes <= maxBytes"));
        }

        if (c.ErrorTtl < 0 || c.CollapseWaitMs <= 0)
        {
            errors.Add(new ConfigError($"{at}.cache", "errorTtl cannot be negative and collapseWaitMs must be positive"));
        }
    }

    private static void ValidateAcme(string edgeAt, EdgeConfig edge, AcmeConfig acme, IReadOnlyDictionary<string, OriginConfig> origins, string? baseDirectory, List<ConfigError> errors)
    {
        errors.AddRange(ValidateAcme(acme, edgeAt + ".acme", baseDirectory));
        if (acme.Share is { } share)
        {
            ValidateAcmeShare(edgeAt + ".acme.share", share, origins, errors);
        }

        if (edge.HttpsListen is null)
        {
            errors.Add(new ConfigError($"{edgeAt}.httpsListen", "acme obtains a certificate for HTTPS; add httpsListen such as \"0.0.0.0:443\""));
        }

        if (edge.HttpListen is null)
        {
            errors.Add(new ConfigError($"{edgeAt}.httpListen", "acme answers the CA's HTTP-01 challenge on port 80; add httpListen such as \"0.0.0.0:80\""));
        }

        if (edge.Tls is not null)
        {
            errors.Add(new ConfigError($"{edgeAt}.tls", "acme writes the certificate and key itself (to acme.dataDir); remove tls, or remove acme to use your own files"));
        }
    }

    /// <summary>
    /// The problems of an acme section by itself, not of how it fits its edge (also the check of
    /// `tandem up --acme`); each path starts with <paramref name="at"/>.
    /// </summary>
    /// <param name="baseDirectory">Folder a relative caRoot is resolved against; the file is only checked when given.</param>
    public static IReadOnlyList<ConfigError> ValidateAcme(AcmeConfig acme, string at, string? baseDirectory)
    {
        var errors = new List<ConfigError>();
        if (acme.DirectoryUrl is null)
        {
            errors.Add(new ConfigError($"{at}.directory", $"'{acme.Directory}' is not an ACME directory; give its https URL such as \"{AcmeConfig.LetsEncrypt}\", or \"letsencrypt\" / \"letsencrypt-staging\""));
        }

        if (acme.Names.Count == 0)
        {
            errors.Add(new ConfigError($"{at}.names", "is empty; list the names the certificate covers, such as [\"www.example.com\"]"));
        }

        for (var i = 0; i < acme.Names.Count; i++)
        {
            var n = acme.Names[i];
            if (!IPAddress.TryParse(n, out _) && (n is null || Uri.CheckHostName(n) != UriHostNameType.Dns || n.EndsWith('.')))
            {
                errors.Add(new ConfigError($"{at}.names[{i}]", $"'{n}' is not a DNS name such as \"www.example.com\" or an IP address"));
            }
        }

        if (acme.Contact is { } contact && !contact.StartsWith("mailto:", StringComparison.Ordinal))
        {
            errors.Add(new ConfigError($"{at}.contact", $"'{contact}' must be a mailto: URL such as \"mailto:ops@example.org\""));
        }

        if (acme.RenewBeforeFraction is <= 0 or >= 1 || double.IsNaN(acme.RenewBeforeFraction))
        {
            errors.Add(new ConfigError($"{at}.renewBeforeFraction", "must be between 0 and 1 (exclusive), such as 0.3333 to renew with a third of the lifetime left"));
        }

        if (acme.DataDir is { Length: 0 })
        {
            errors.Add(new ConfigError($"{at}.dataDir", "is empty; remove the setting or name a folder such as \".tandem/acme\""));
        }

        if (acme.CaRoot is { } caRoot && baseDirectory is not null)
        {
            var file = caRoot.Length == 0 ? "" : Path.GetFullPath(caRoot, baseDirectory);
            try
            {
                if (file.Length == 0 || !File.ReadAllText(file).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                {
                    errors.Add(new ConfigError($"{at}.caRoot", $"'{caRoot}' holds no PEM certificate; name the PEM file of the root that signed the directory's HTTPS certificate, or remove the setting"));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add(new ConfigError($"{at}.caRoot", $"cannot read '{file}': {ex.Message}; name a readable PEM file relative to the config, or remove the setting"));
            }
        }

        return errors;
    }

    private static void ValidateAcmeShare(string at, AcmeShareConfig share, IReadOnlyDictionary<string, OriginConfig> origins, List<ConfigError> errors)
    {
        if ((share.Directory is null) == (share.Origin is null))
        {
            errors.Add(new ConfigError(at, "give exactly one of directory (a folder every sharing edge mounts) or origin (an origin whose S3 API keeps the certificate in a private bucket)"));
            return;
        }

        if (share.Directory is { Length: 0 })
        {
            errors.Add(new ConfigError($"{at}.directory", "is empty; name a folder every sharing edge can write, such as \"/srv/tandem-acme\""));
        }

        if (share.Origin is not { } name)
        {
            return;
        }

        if (!origins.TryGetValue(name, out var origin))
        {
            errors.Add(new ConfigError($"{at}.origin", $"there is no origin named '{name}'; the file has: {string.Join(", ", origins.Keys)}"));
            return;
        }

        if (origin.S3Endpoint is null)
        {
            errors.Add(new ConfigError($"{at}.origin", $"origin '{name}' has no s3Endpoint; the shared certificate is kept over its S3 API, so give it one such as \"http://127.0.0.1:9000\""));
        }

        var bucket = share.Bucket ?? AcmeShareConfig.DefaultBucket;
        if (string.Equals(bucket, origin.Bucket, StringComparison.Ordinal))
        {
            errors.Add(new ConfigError($"{at}.bucket", $"'{bucket}' is the site's bucket on origin '{name}', which the website serves publicly; the certificate's key needs a private bucket such as \"{AcmeShareConfig.DefaultBucket}\""));
        }
        else if (BucketNames.Check(bucket) is { } problem)
        {
            errors.Add(new ConfigError($"{at}.bucket", $"'{bucket}' is not a valid bucket name: {problem}"));
        }
    }

    private static void ValidateDeploy(DeployConfig deploy, List<ConfigError> errors)
    {
        const string at = "$.deploy";
        if (deploy.KeepReleases < 2)
        {
            errors.Add(new ConfigError($"{at}.keepReleases", "keep at least 2 releases (the live one and one to roll back to)"));
        }

        if (deploy.Parallelism is < 1 or > 256)
        {
            errors.Add(new ConfigError($"{at}.parallelism", "must be 1 to 256 transfers in flight per origin"));
        }

        if (deploy.InvalidationWildcardThreshold < 1)
        {
            errors.Add(new ConfigError($"{at}.invalidationWildcardThreshold", "must be 1 or more paths"));
        }

        if (string.IsNullOrWhiteSpace(deploy.HashCache))
        {
            errors.Add(new ConfigError($"{at}.hashCache", "name a file such as \".tandem/deploy-hashes.tsv\""));
        }

        for (var i = 0; i < deploy.Exclude.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(deploy.Exclude[i]))
            {
                errors.Add(new ConfigError($"{at}.exclude[{i}]", "is empty; give a pattern such as \"*.map\""));
            }
        }

        foreach (var (ext, type) in deploy.ContentTypes)
        {
            if (!ext.StartsWith('.') || ext.Length < 2 || ext.Contains('/', StringComparison.Ordinal))
            {
                errors.Add(new ConfigError($"{at}.contentTypes.{ext}", $"'{ext}' must be a file extension with its dot, such as \".webmanifest\""));
            }

            if (!type.Contains('/', StringComparison.Ordinal))
            {
                errors.Add(new ConfigError($"{at}.contentTypes.{ext}", $"'{type}' is not a media type such as \"application/json\""));
            }
        }

        for (var i = 0; i < deploy.Headers.Count; i++)
        {
            var rule = deploy.Headers[i];
            if (string.IsNullOrWhiteSpace(rule.PathPattern))
            {
                errors.Add(new ConfigError($"{at}.headers[{i}].pathPattern", "is empty; give a pattern such as \"*.html\""));
            }

            if (rule.CacheControl is null && rule.ContentType is null && rule.Metadata.Count == 0)
            {
                errors.Add(new ConfigError($"{at}.headers[{i}]", "sets nothing; give cacheControl, contentType or metadata"));
            }

            if (rule.ContentType is { } ct && !ct.Contains('/', StringComparison.Ordinal))
            {
                errors.Add(new ConfigError($"{at}.headers[{i}].contentType", $"'{ct}' is not a media type such as \"text/html; charset=utf-8\""));
            }

            foreach (var name in rule.Metadata.Keys)
            {
                if (!StoredHeaders.Contains(name) && !name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add(new ConfigError($"{at}.headers[{i}].metadata.{name}",
                        $"S3 stores only {string.Join(", ", StoredHeaders)} and x-amz-meta-* headers with an object"));
                }
            }
        }
    }

    private static readonly string[] StoredHeaders = ["Content-Disposition", "Content-Encoding", "Content-Language", "Expires", "x-amz-website-redirect-location"];

    [GeneratedRegex("^[a-z]{2}(-[a-z0-9]+)+$|^[a-z0-9-]{1,32}$")]
    private static partial Regex RegionPattern();

    private static void ValidateSite(SiteConfig site, List<ConfigError> errors)
    {
        if (string.IsNullOrWhiteSpace(site.IndexDocument) || site.IndexDocument.Contains('/', StringComparison.Ordinal))
        {
            errors.Add(new ConfigError("$.site.indexDocument", "must be a file name without '/', such as \"index.html\" (S3 requires the same)"));
        }

        if (site.ErrorDocument is { Length: 0 })
        {
            errors.Add(new ConfigError("$.site.errorDocument", "is empty; remove the setting or name a key such as \"404.html\""));
        }

        if (string.IsNullOrWhiteSpace(site.Root))
        {
            errors.Add(new ConfigError("$.site.root", "must name the folder with the site's files"));
        }
    }

    private static void CheckUrl(string? value, string path, List<ConfigError> errors)
    {
        if (value is null)
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add(new ConfigError(path, $"'{value}' is not an http:// or https:// URL"));
        }
    }

    private static void CheckCredentials(CredentialsConfig creds, string path, List<ConfigError> errors)
    {
        var hasEnv = creds.AccessKeyIdEnv is not null || creds.SecretAccessKeyEnv is not null;
        var hasFile = creds.File is not null;
        if (hasEnv && hasFile)
        {
            errors.Add(new ConfigError(path, "give either accessKeyIdEnv/secretAccessKeyEnv or file (with profile), not both"));
        }
        else if (hasEnv && (creds.AccessKeyIdEnv is null || creds.SecretAccessKeyEnv is null))
        {
            errors.Add(new ConfigError(path, "accessKeyIdEnv and secretAccessKeyEnv must be given together"));
        }
        else if (!hasEnv && !hasFile)
        {
            errors.Add(new ConfigError(path, "name where the key comes from: accessKeyIdEnv and secretAccessKeyEnv, or file (and profile)"));
        }
    }

    private static void CheckListen(string value, string path, Dictionary<string, string> seen, List<ConfigError> errors)
    {
        if (!ListenAddress.TryParse(value, out var endpoint, out var problem))
        {
            errors.Add(new ConfigError(path, problem));
            return;
        }

        if (endpoint.Port == 0)
        {
            return;
        }

        var key = endpoint.ToString();
        if (seen.TryGetValue(key, out var other))
        {
            errors.Add(new ConfigError(path, $"{value} is also used by {other}; give each listener its own port"));
        }
        else
        {
            seen[key] = path;
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial Regex NamePattern();
}

/// <summary>Parses "host:port" listen addresses.</summary>
public static class ListenAddress
{
    /// <summary>
    /// Where a process on this machine reaches a listener: an every-address listener (0.0.0.0 or
    /// [::]) is reached on loopback, any other address as it is.
    /// </summary>
    public static IPEndPoint Reachable(IPEndPoint listen) =>
        new(listen.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : listen.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : listen.Address, listen.Port);

    /// <summary>"http://127.0.0.1:8081" (IPv6 in brackets) for a listen address, or null when it does not parse.</summary>
    public static string? ReachableUrl(string? listen, string scheme = "http") =>
        TryParse(listen, out var endpoint, out _) ? $"{scheme}://{Reachable(endpoint)}" : null;

    /// <summary>
    /// Accepts "127.0.0.1:9000", "[::1]:9000", "localhost:9000" (loopback), "*:9000" or
    /// ":9000" (every address). Port 0 asks the system for a free port.
    /// </summary>
    public static bool TryParse(string? value, out IPEndPoint endpoint, out string problem)
    {
        endpoint = new IPEndPoint(IPAddress.Loopback, 0);
        problem = "";
        if (string.IsNullOrWhiteSpace(value))
        {
            problem = "is empty; give host:port such as \"127.0.0.1:9000\"";
            return false;
        }

        var colon = value.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(value.AsSpan(colon + 1), out var port) || port is < 0 or > 65535)
        {
            problem = $"'{value}' is not host:port with a port from 0 to 65535, such as \"127.0.0.1:9000\"";
            return false;
        }

        var host = value[..colon].Trim('[', ']');
        IPAddress address;
        if (host is "" or "*" or "0.0.0.0")
        {
            address = IPAddress.Any;
        }
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out address!))
        {
            problem = $"'{host}' in '{value}' is not an IP address (or localhost or *)";
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }
}

/// <summary>S3's bucket naming rules, shared by config validation and the origin's CreateBucket.</summary>
public static partial class BucketNames
{
    /// <summary>Returns null when <paramref name="name"/> is a valid bucket name, else what is wrong.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "bucket name is empty";
        }

        if (name.Length is < 3 or > 63)
        {
            return $"bucket name '{name}' must be 3 to 63 characters long";
        }

        if (!Pattern().IsMatch(name) || name.Contains("..", StringComparison.Ordinal))
        {
            return $"bucket name '{name}' may contain only lower-case letters, digits, '.' and '-', and must start and end with a letter or digit";
        }

        if (IPAddress.TryParse(name, out _))
        {
            return $"bucket name '{name}' must not look like an IP address";
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$")]
    private static partial Regex Pattern();
}

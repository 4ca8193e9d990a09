using Tandem.Core.Configuration;
using Tandem.Core.Releases;

namespace Tandem.Edge.Origins;

/// <summary>
/// Where an edge fetches one origin's website from, and how: the resolved form of an
/// <see cref="OriginConfig"/>, with every default filled in.
/// </summary>
public sealed class OriginEndpoint
{
    /// <param name="name">The origin's name in the config, used in metrics and logs.</param>
    /// <param name="baseUri">Website endpoint, http or https, without query; a path in it is kept as a prefix.</param>
    /// <param name="connection">Timeouts, Host header, origin path and health check; null for the defaults.</param>
    /// <param name="region">Region label for status pages, or null.</param>
    /// <param name="prefix">Key prefix under which Tandem keeps releases in this origin's bucket (origins.NAME.prefix), or null.</param>
    public OriginEndpoint(string name, Uri baseUri, OriginConnectionConfig? connection = null, string? region = null, string? prefix = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(baseUri);
        if (!baseUri.IsAbsoluteUri || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"origin '{name}': '{baseUri}' is not an http:// or https:// URL", nameof(baseUri));
        }

        if (baseUri.Query.Length > 0 || baseUri.Fragment.Length > 0)
        {
            throw new ArgumentException($"origin '{name}': website endpoint '{baseUri}' must not carry a query or fragment", nameof(baseUri));
        }

        Name = name;
        Region = region;
        BaseUri = baseUri;
        Connection = connection ?? new OriginConnectionConfig();
        HostHeader = string.IsNullOrEmpty(Connection.HostHeader) ? baseUri.Authority : Connection.HostHeader;
        PathPrefix = baseUri.AbsolutePath.TrimEnd('/') + (Connection.OriginPath ?? "").TrimEnd('/');
        Prefix = ReleaseLayout.Prefix(prefix);
    }

    /// <summary>Key prefix of Tandem's releases and records in the bucket: "" or "a/b/" (see <see cref="ReleaseLayout.Prefix"/>).</summary>
    public string Prefix { get; }

    /// <summary>The origin's name in the config.</summary>
    public string Name { get; }

    /// <summary>Region label for status and reports, or null.</summary>
    public string? Region { get; }

    /// <summary>The website endpoint.</summary>
    public Uri BaseUri { get; }

    /// <summary>Host header sent on every request and probe: the configured one, else the endpoint's host[:port].</summary>
    public string HostHeader { get; }

    /// <summary>
    /// Path put before every request path: the endpoint's own path followed by the configured
    /// origin path, without a trailing '/'; empty for none.
    /// </summary>
    public string PathPrefix { get; }

    /// <summary>Timeouts, attempts and health check settings.</summary>
    public OriginConnectionConfig Connection { get; }

    /// <summary>Per-attempt wait for response headers, and for each body read.</summary>
    public TimeSpan ResponseTimeout => TimeSpan.FromMilliseconds(Connection.ResponseTimeoutMs);

    /// <summary>
    /// The absolute URI for a request target. <paramref name="pathAndQuery"/> must start with '/'
    /// and is sent exactly as given (already escaped), as a proxy must not re-encode a path.
    /// </summary>
    public Uri RequestUri(string pathAndQuery)
    {
        if (!pathAndQuery.StartsWith('/'))
        {
            throw new ArgumentException($"request target '{pathAndQuery}' must start with '/'", nameof(pathAndQuery));
        }

        var text = $"{BaseUri.Scheme}://{BaseUri.Authority}{PathPrefix}{pathAndQuery}";
        return new Uri(text, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
    }

    /// <summary>
    /// The target <paramref name="request"/> has on this origin: under this origin's copy of the
    /// release it names (<see cref="ReleaseLayout.UrlPathPrefix"/>), under this origin's prefix
    /// for Tandem's own records, or as given. Composed per origin, as each may have its own prefix.
    /// </summary>
    public string Target(OriginRequest request) =>
        request.Release is { } id ? ReleaseLayout.UrlPathPrefix(Prefix, id) + request.PathAndQuery
        : request.UnderPrefix && Prefix.Length > 0 ? string.Concat("/", Prefix, request.PathAndQuery.AsSpan(1))
        : request.PathAndQuery;

    /// <summary>
    /// Resolves an origin from the config. The website endpoint is <c>websiteEndpoint</c>; when
    /// only <c>server</c> is given (Tandem runs the origin), it is <c>http://</c> plus
    /// <c>server.websiteListen</c>, with a wildcard address reached on loopback.
    /// </summary>
    /// <exception cref="ConfigException">Neither gives a usable URL; the error names the setting to fix.</exception>
    public static OriginEndpoint FromConfig(string name, OriginConfig origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        var at = $"$.origins.{name}";
        Uri? uri;
        if (!string.IsNullOrWhiteSpace(origin.WebsiteEndpoint))
        {
            if (!Uri.TryCreate(origin.WebsiteEndpoint, UriKind.Absolute, out uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            {
                throw Error($"{at}.websiteEndpoint", $"'{origin.WebsiteEndpoint}' is not an http:// or https:// URL without query, such as \"http://127.0.0.1:9001\"");
            }
        }
        else if (origin.Server is { } server)
        {
            if (!ListenAddress.TryParse(server.WebsiteListen, out var listen, out var problem))
            {
                throw Error($"{at}.server.websiteListen", problem);
            }

            if (listen.Port == 0)
            {
                throw Error($"{at}.websiteEndpoint", "server.websiteListen uses port 0, which is only known once the origin runs; set websiteEndpoint to the URL edges should fetch from");
            }

            // A wildcard listener is reachable on loopback from this machine; other machines need websiteEndpoint.
            var host = listen.Address.Equals(System.Net.IPAddress.Any) ? "127.0.0.1"
                : listen.Address.Equals(System.Net.IPAddress.IPv6Any) ? "[::1]"
                : listen.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{listen.Address}]"
                : listen.Address.ToString();
            uri = new Uri($"http://{host}:{listen.Port}");
        }
        else
        {
            throw Error($"{at}.websiteEndpoint", "is not set; give the URL edges fetch this origin's website from, such as \"http://127.0.0.1:9001\" (or \"server\" with websiteListen when Tandem runs the origin)");
        }

        return new OriginEndpoint(name, uri, origin.Connection, origin.Region, origin.Prefix);
    }

    private static ConfigException Error(string path, string message) => new("config", [new ConfigError(path, message)]);

    public override string ToString() => $"{Name} ({BaseUri})";
}

namespace Tandem.Core.Configuration;

/// <summary>
/// Tandem's authoritative DNS: zones and health checks shared by every DNS node, and the nodes
/// themselves by name. Several nodes serving the same zones is how production gets more than one
/// name server; each answers from its own health checks, as each Route 53 edge location does.
/// </summary>
public sealed record DnsConfig
{
    /// <summary>DNS nodes by name: where each listens. Start one with <c>tandem dns NAME</c>.</summary>
    public Dictionary<string, DnsNodeConfig> Nodes { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Zones by name, such as "example.com"; every node answers for every zone.</summary>
    public Dictionary<string, DnsZoneConfig> Zones { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Health checks by name, referred to by failover and multivalue targets.</summary>
    public Dictionary<string, DnsHealthCheckConfig> HealthChecks { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One DNS node: its listeners.</summary>
public sealed record DnsNodeConfig
{
    /// <summary>UDP and TCP address, "host:port". Default "127.0.0.1:5353" (53 needs root).</summary>
    public string Listen { get; init; } = "127.0.0.1:5353";

    /// <summary>HTTP listener for GET /metrics (Prometheus text), /status (JSON) and /healthz. Default "127.0.0.1:5380".</summary>
    public string MetricsListen { get; init; } = "127.0.0.1:5380";
}

/// <summary>A zone this server is authoritative for.</summary>
public sealed record DnsZoneConfig
{
    /// <summary>Start of authority. Defaults make a usable SOA from the zone name.</summary>
    public DnsSoaConfig Soa { get; init; } = new();

    /// <summary>Name servers of the zone (NS at the apex), absolute names. Default "ns1.ZONE".</summary>
    public List<string> NameServers { get; init; } = [];

    /// <summary>TTL of records that give none, in seconds. Default 300.</summary>
    public int DefaultTtl { get; init; } = 300;

    /// <summary>The zone's records.</summary>
    public List<DnsRecordConfig> Records { get; init; } = [];
}

/// <summary>The SOA record's fields (RFC 1035 section 3.3.13).</summary>
public sealed record DnsSoaConfig
{
    /// <summary>Primary name server. Default the first of nameServers.</summary>
    public string? PrimaryNameServer { get; init; }

    /// <summary>Responsible mailbox as a name ("hostmaster.example.com"). Default "hostmaster.ZONE".</summary>
    public string? Mailbox { get; init; }

    /// <summary>Serial. Default 1; secondaries reload when it grows.</summary>
    public uint Serial { get; init; } = 1;

    /// <summary>Seconds. Default 3600.</summary>
    public int Refresh { get; init; } = 3600;

    /// <summary>Seconds. Default 600.</summary>
    public int Retry { get; init; } = 600;

    /// <summary>Seconds. Default 604800.</summary>
    public int Expire { get; init; } = 604800;

    /// <summary>How long resolvers cache NXDOMAIN and NODATA (RFC 2308), seconds. Default 60.</summary>
    public int NegativeTtl { get; init; } = 60;

    /// <summary>TTL of the SOA record itself, seconds. Default 3600.</summary>
    public int Ttl { get; init; } = 3600;
}

/// <summary>
/// A record set: a name, a type and either fixed <see cref="Values"/>, health-checked targets
/// (<see cref="Failover"/> or <see cref="Multivalue"/>, A and AAAA only), or for type ALIAS a
/// target answered with its addresses (<see cref="Alias"/> or <see cref="Edge"/>).
/// </summary>
public sealed record DnsRecordConfig
{
    /// <summary>Name relative to the zone ("www"), or "@" for the zone apex. Default "@".</summary>
    public string Name { get; init; } = "@";

    /// <summary>A, AAAA, CNAME, TXT, MX, CAA, NS or ALIAS.</summary>
    public string Type { get; init; } = "";

    /// <summary>
    /// Seconds; default the zone's defaultTtl (30 for failover and multivalue sets; for an ALIAS, its
    /// target's TTL, or 30 for an edge).
    /// </summary>
    public int? Ttl { get; init; }

    /// <summary>
    /// Fixed values in presentation form: "192.0.2.1" (A), "2001:db8::1" (AAAA), "target.example.com" (CNAME, NS),
    /// "10 mail.example.com" (MX), "any text" (TXT), "0 issue \"letsencrypt.org\"" (CAA).
    /// </summary>
    public List<string> Values { get; init; } = [];

    /// <summary>A primary and a secondary target: Route 53 failover routing.</summary>
    public DnsFailoverConfig? Failover { get; init; }

    /// <summary>Every healthy target is answered: Route 53 multivalue answer routing.</summary>
    public List<DnsTargetConfig>? Multivalue { get; init; }

    /// <summary>ALIAS only: a name in the same zone ("www", "@") whose A and AAAA answers this name gets.</summary>
    public string? Alias { get; init; }

    /// <summary>ALIAS only: an edge by name, answered with the address of its httpListen.</summary>
    public string? Edge { get; init; }
}

/// <summary>Failover routing's two targets.</summary>
public sealed record DnsFailoverConfig
{
    public DnsTargetConfig? Primary { get; init; }

    public DnsTargetConfig? Secondary { get; init; }
}

/// <summary>An address answered while its health check passes.</summary>
public sealed record DnsTargetConfig
{
    /// <summary>IP address, such as "192.0.2.10".</summary>
    public string? Value { get; init; }

    /// <summary>Instead of value: an edge by name, answered with the address of its httpListen.</summary>
    public string? Edge { get; init; }

    /// <summary>Health check by name; without one the target always counts as healthy.</summary>
    public string? HealthCheck { get; init; }
}

/// <summary>A health check run by every DNS node: Route 53's HTTP, HTTPS and TCP checks.</summary>
public sealed record DnsHealthCheckConfig
{
    /// <summary>"http", "https" or "tcp". Default "http".</summary>
    public string Type { get; init; } = "http";

    /// <summary>"host:port", or for http and https a URL ("http://127.0.0.1:8081/healthz").</summary>
    public string Target { get; init; } = "";

    /// <summary>Path requested by http and https checks. Default "/" (a URL target's own path wins).</summary>
    public string Path { get; init; } = "/";

    /// <summary>Host header, and for https the TLS server name (SNI); default the target's host.</summary>
    public string? Host { get; init; }

    /// <summary>Statuses that pass, "200-399" or "200". Default "200-399" (Route 53: 2xx and 3xx).</summary>
    public string ExpectedStatus { get; init; } = "200-399";

    /// <summary>Text the first 5,120 bytes of the body must contain (Route 53's string match). Default none.</summary>
    public string? BodyContains { get; init; }

    /// <summary>Time between checks, at least 1000. Default 10000 (Route 53's fast interval).</summary>
    public int IntervalMs { get; init; } = 10000;

    /// <summary>Time one check may take, capped at intervalMs. Default 2000 (Route 53 allows 4 s to connect and 2 s to answer).</summary>
    public int TimeoutMs { get; init; } = 2000;

    /// <summary>Failures in a row that make a healthy target unhealthy, 1-10. Default 3 (Route 53's).</summary>
    public int FailureThreshold { get; init; } = 3;

    /// <summary>Passes in a row that make an unhealthy target healthy again, 1-10. Default 3.</summary>
    public int RecoveryThreshold { get; init; } = 3;
}

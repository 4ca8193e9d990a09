using System.Text.Json;
using Tandem.Core.Configuration;
using Tandem.Core.Http;
using Tandem.Core.Releases;
using Tandem.Core.Stack;
using Tandem.Deploy.Origins;
using Tandem.Edge.Admin;

namespace Tandem.Stack.Status;

/// <summary>
/// Gathers a <see cref="StatusSnapshot"/>: every edge's /status and /metrics, every origin's
/// live release over the S3 API, every DNS node's /status, the stack file's processes and the
/// last drill report, all at once, each with a short timeout. A node that does not answer is
/// recorded as down with the reason; nothing is thrown for it.
/// </summary>
public sealed class StatusCollector(LoadedConfig loaded, string stateDir, TimeSpan? timeout = null, TimeProvider? time = null)
{
    /// <summary>How long each probe may take.</summary>
    public TimeSpan Timeout { get; } = timeout ?? TimeSpan.FromSeconds(2);

    public async Task<StatusSnapshot> CollectAsync(CancellationToken cancellationToken)
    {
        var stack = RunningStack(stateDir);
        var config = WithStackUrls(loaded, stack);

        var edgeStatus = config.Config.Edges.Count > 0 ? EdgeStatusClient.StatusAsync(config, Timeout, cancellationToken) : Task.FromResult<IReadOnlyList<EdgeCallResult<EdgeAdminStatus>>>([]);
        var edgeMetrics = config.Config.Edges.Count > 0 ? EdgeStatusClient.MetricsAsync(config, Timeout, cancellationToken) : Task.FromResult<IReadOnlyList<EdgeCallResult<string>>>([]);
        var lives = Task.WhenAll(config.Config.Origins.Keys.Select(name => ReadLiveAsync(config, name, cancellationToken)));
        var dns = Task.WhenAll(config.Config.Dns.Nodes.Select(n => ReadDnsAsync(n.Key, MetricsUrl(n.Value, stack?.Find("dns", n.Key)), stack?.Find("dns", n.Key), cancellationToken)));
        var drill = Task.Run(() => LatestDrill(stateDir), cancellationToken);

        var statuses = (await edgeStatus).ToDictionary(r => r.Edge, StringComparer.Ordinal);
        var metrics = (await edgeMetrics).ToDictionary(r => r.Edge, StringComparer.Ordinal);
        var live = (await lives).ToDictionary(l => l.Name, StringComparer.Ordinal);
        var group = ServingFrom.DefaultGroup(config.Config);

        var edges = config.Config.Edges.Select(e => Edge(e.Key, e.Value, stack?.Find("edge", e.Key), statuses[e.Key], metrics[e.Key], group)).ToList();
        var origins = config.Config.Origins.Select(o =>
        {
            var node = stack?.Find("origin", o.Key);
            var seen = statuses.Values.Where(s => s.Ok && s.Value is not null)
                .SelectMany(s => s.Value!.Origins.Where(x => x.Name == o.Key).Select(x => new OriginHealthSeen(s.Edge, x.Healthy, x.Healthy ? null : x.Detail.LastError)))
                .ToList();
            var region = o.Value.Region ?? node?.Region ?? statuses.Values.SelectMany(s => s.Value?.Origins ?? []).FirstOrDefault(x => x.Name == o.Key)?.Region;
            return new OriginReport { Name = o.Key, Region = region, Process = NodeProcess.Of(node), Live = live[o.Key].Id, LiveError = live[o.Key].Error, Health = seen };
        }).ToList();
        var dnsReports = (await dns).ToList();
        var releases = ReleaseReport.Of(origins);

        return new StatusSnapshot
        {
            Taken = (time ?? TimeProvider.System).GetUtcNow(),
            ConfigPath = loaded.SourcePath,
            StateDir = stateDir,
            Stack = stack is null ? null : new StackSummary(stack.SupervisorPid, stack.StartedAt, stack.StateDir),
            Origins = origins,
            Edges = edges,
            Dns = dnsReports,
            Releases = releases,
            LastDrill = await drill,
            Problems = StatusProblems.Find(origins, edges, dnsReports, releases),
        };
    }

    /// <summary>The stack file in <paramref name="dir"/> when its supervisor still runs; a missing, unreadable or stale file is no stack.</summary>
    internal static StackFile? RunningStack(string dir)
    {
        try
        {
            return StackFile.TryRead(StackFile.PathIn(dir)) is { } stack && stack.SupervisorAlive() ? stack : null;
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The config with the addresses the running stack reports (an edge's admin URL, an
    /// origin's S3 URL), which win over the file's when <c>tandem up</c> picked the ports.
    /// </summary>
    internal static LoadedConfig WithStackUrls(LoadedConfig loaded, StackFile? stack)
    {
        if (stack is null)
        {
            return loaded;
        }

        var c = loaded.Config;
        var edges = c.Edges.ToDictionary(
            e => e.Key,
            e => stack.Find("edge", e.Key)?.Urls.GetValueOrDefault("admin") is { } admin ? e.Value with { AdminUrl = admin } : e.Value,
            StringComparer.Ordinal);
        var origins = c.Origins.ToDictionary(
            o => o.Key,
            o => stack.Find("origin", o.Key)?.Urls.GetValueOrDefault("s3") is { } s3 ? o.Value with { S3Endpoint = s3 } : o.Value,
            StringComparer.Ordinal);
        return loaded with { Config = c with { Edges = edges, Origins = origins } };
    }

    private static EdgeReport Edge(string name, EdgeConfig config, StackNode? node, EdgeCallResult<EdgeAdminStatus> status, EdgeCallResult<string> metrics, IReadOnlyList<string> group)
    {
        var url = node?.Urls.GetValueOrDefault("http") ?? node?.Urls.GetValueOrDefault("https")
            ?? (config.HttpListen is { } http ? ListenUrl("http", http) : config.HttpsListen is { } https ? ListenUrl("https", https) : null);
        if (!status.Ok || status.Value is not { } s)
        {
            return new EdgeReport { Name = name, Url = url, Process = NodeProcess.Of(node), Error = status.Error ?? "empty answer" };
        }

        EdgeTraffic? traffic = null;
        string? trafficError = metrics.Error;
        if (metrics.Ok && metrics.Value is { } text)
        {
            traffic = EdgeTrafficMetrics.FromText(text);
        }

        var healthy = s.Origins.Where(o => o.Healthy).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        return new EdgeReport
        {
            Name = name,
            Url = url,
            Process = NodeProcess.Of(node),
            Live = s.Release.Live,
            ServingFrom = ServingFrom.Choose(group, healthy.Contains),
            CacheEntries = s.Cache.Entries,
            CacheBytes = s.Cache.Bytes,
            CacheHits = s.Cache.Hits,
            CacheMisses = s.Cache.Misses,
            Traffic = traffic,
            TrafficError = trafficError,
        };
    }

    private async Task<(string Name, string? Id, string? Error)> ReadLiveAsync(LoadedConfig config, string name, CancellationToken cancellationToken)
    {
        OriginConnection origin;
        try
        {
            origin = OriginConnection.OpenAll(config, [name])[0];
        }
        catch (ConfigException ex)
        {
            return (name, null, string.Join("; ", ex.Errors.Select(e => $"{e.Path}: {e.Message}")));
        }

        using (origin)
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            cts.CancelAfter(Timeout);
            try
            {
                return (name, (await ReleaseReader.ReadLiveAsync(origin, cts.Token))?.Id, null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (name, null, $"no answer within {Timeout.TotalSeconds:0.#} s from {origin.Config.S3Endpoint}");
            }
            catch (FormatException ex)
            {
                return (name, null, $"{ReleaseLayout.LiveKey(origin.Prefix)}: {ex.Message}");
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                return (name, null, origin.Describe(ex));
            }
        }
    }

    private async Task<DnsReport> ReadDnsAsync(string name, string url, StackNode? node, CancellationToken cancellationToken)
    {
        var report = new DnsReport { Name = name, Url = url, Process = NodeProcess.Of(node) };
        using var http = new HttpClient { Timeout = Timeout };
        try
        {
            return WithDnsStatus(report, await http.GetStringAsync(new Uri(new Uri(url.TrimEnd('/') + "/"), "status"), cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return report with { Error = HttpFailure.Describe(ex, Timeout) };
        }
    }

    /// <summary>Adds what a DNS node's GET /status answered (Tandem.Dns's DnsStatus as JSON) to its report.</summary>
    internal static DnsReport WithDnsStatus(DnsReport report, string json)
    {
        var status = JsonSerializer.Deserialize<DnsStatusWire>(json, StackFile.Json) ?? throw new JsonException("empty answer");
        return report with
        {
            Queries = status.Queries,
            Checks = [.. (status.HealthChecks ?? []).Select(c => new DnsCheckReport(c.Name, c.Healthy, c.LastError))],
            Answers = [.. (status.Answers ?? []).Select(a => new DnsAnswerReport(a.Record, a.Target, a.Count))],
        };
    }

    private static DrillReport? LatestDrill(string dir)
    {
        try
        {
            return DrillReport.Latest(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string MetricsUrl(DnsNodeConfig config, StackNode? node) =>
        node?.Urls.GetValueOrDefault("metrics") ?? ListenUrl("http", config.MetricsListen);

    /// <summary>http://HOST:PORT for a listen address; the any-address becomes loopback.</summary>
    internal static string ListenUrl(string scheme, string listen)
    {
        if (!ListenAddress.TryParse(listen, out var ep, out _))
        {
            return $"{scheme}://{listen}";
        }

        var host = ep.Address.Equals(System.Net.IPAddress.Any) ? "127.0.0.1"
            : ep.Address.Equals(System.Net.IPAddress.IPv6Any) ? "[::1]"
            : ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ep.Address}]"
            : ep.Address.ToString();
        return $"{scheme}://{host}:{ep.Port}";
    }

    // GET /status of a DNS node (Tandem.Dns's DnsStatus), the fields shown here.
    private sealed record DnsStatusWire(string Node, long Queries, List<DnsCheckWire>? HealthChecks, List<DnsAnswerWire>? Answers);

    private sealed record DnsCheckWire(string Name, bool Healthy, string? LastError);

    private sealed record DnsAnswerWire(string Record, string Target, long Count);
}

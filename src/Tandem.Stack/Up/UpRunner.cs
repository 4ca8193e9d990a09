using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.Deploy;
using Tandem.Deploy.Edges;

namespace Tandem.Stack.Up;

/// <summary>What <c>tandem up</c> was asked to run.</summary>
public sealed record UpOptions
{
    /// <summary>Site folder to serve (default: TANDEM_HOME/examples/site, else ./examples/site; with --config: site.root).</summary>
    public string? SiteDir { get; init; }

    /// <summary>A config file to run this machine's nodes of, instead of the built-in stack.</summary>
    public string? ConfigPath { get; init; }

    public string StateDir { get; init; } = StackFile.DefaultStateDir;

    /// <summary>Added to every default port (built-in stack only).</summary>
    public int PortOffset { get; init; }

    /// <summary>The Tandem checkout (the ./tandem wrapper sets TANDEM_HOME), for the default site.</summary>
    public string? TandemHome { get; init; }

    /// <summary>--domain: the names the site is served under, for the ACME certificate (built-in stack, with --acme).</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>--acme: ACME directory URL, or letsencrypt / letsencrypt-staging; null keeps the self-signed certificate.</summary>
    public string? AcmeDirectory { get; init; }

    /// <summary>--acme-contact: the ACME account's contact, "mailto:…".</summary>
    public string? AcmeContact { get; init; }

    /// <summary>--acme-ca-root: PEM root trusted for the directory's HTTPS (a private or test CA).</summary>
    public string? AcmeCaRoot { get; init; }
}

/// <summary>
/// <c>tandem up</c>: prepares the state folder (config, keys, admin token, certificate), checks
/// every port, starts origins, sets them up, starts edges, deploys the site through them, starts
/// the name servers, writes stack.json, then supervises until cancelled.
/// Exit codes: 0 stopped cleanly, 1 a node or step failed, 2 config or usage error, 3 port busy or a stack already running.
/// </summary>
public sealed class UpRunner(UpOptions options, ChildLauncher launcher, Func<S3Credentials> newKey, Func<LoadedConfig, IEdgeFleet> edges, TextWriter output, TextWriter error, TimeProvider time)
{
    private const string Me = "tandem up";
    private static readonly string[] SiteSchemes = ["http", "https"];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        output = TextWriter.Synchronized(output);
        error = TextWriter.Synchronized(error);
        var stateDir = Path.GetFullPath(options.StateDir);
        var builtIn = options.ConfigPath is null;
        var acme = UpAcme.From(options, out var acmeErrors);
        if (acmeErrors.Count > 0)
        {
            foreach (var line in acmeErrors)
            {
                error.WriteLine($"{Me}: {line}");
            }

            return 2;
        }

        var running = ReadRunningStack(stateDir);
        if (running is not null)
        {
            error.WriteLine($"{Me}: a stack is already running from here (pid {running.SupervisorPid}); stop it with Ctrl-C or kill {running.SupervisorPid}");
            return 3;
        }

        string configPath;
        string? siteRoot;
        if (builtIn)
        {
            siteRoot = DefaultSiteRoot();
            if (!Directory.Exists(siteRoot))
            {
                error.WriteLine($"{Me}: site folder '{siteRoot}' does not exist; pass the folder to serve: tandem up SITE_DIR");
                return 2;
            }

            Directory.CreateDirectory(stateDir);
            configPath = Path.Combine(stateDir, UpTemplate.FileName);
            File.WriteAllText(configPath, UpTemplate.Render(siteRoot, options.PortOffset, acme));
        }
        else
        {
            configPath = Path.GetFullPath(options.ConfigPath!);
            siteRoot = options.SiteDir is { } dir ? Path.GetFullPath(dir) : null;
            if (siteRoot is not null && !Directory.Exists(siteRoot))
            {
                error.WriteLine($"{Me}: site folder '{siteRoot}' does not exist");
                return 2;
            }
        }

        LoadedConfig loaded;
        try
        {
            loaded = ConfigLoader.Load(configPath);
        }
        catch (ConfigException ex)
        {
            error.WriteLine($"{Me}: {ex.Message}");
            return 2;
        }

        var plan = StackPlan.For(loaded, address => StackPlan.IsLocal(address, StackPlan.InterfaceAddresses()));
        if (plan.Nodes.Count == 0)
        {
            error.WriteLine($"{Me}: {configPath} assigns no node to this machine (no origin with a server section, no edge or DNS node listening on a local address)");
            return 2;
        }

        siteRoot ??= plan.RunsEveryOrigin ? loaded.ResolvePath(loaded.Config.Site.Root) : null;
        try
        {
            PrepareSecrets(loaded, plan, builtIn);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            error.WriteLine($"{Me}: preparing {stateDir}: {ex.Message}");
            return 1;
        }

        if (PortCheck.FirstBusy(plan.Nodes.SelectMany(n => n.Listeners)) is { } busy)
        {
            var fix = builtIn ? "stop what uses it, or move the whole stack with --port-offset N" : "change that setting";
            error.WriteLine($"{Me}: {busy.Endpoint} is in use ({busy.Setting} in {configPath}); {fix}");
            return 3;
        }

        var startedAt = time.GetUtcNow();
        StackFile Stack(List<StackNode> nodes) => new()
        {
            ConfigPath = configPath,
            StateDir = stateDir,
            SupervisorPid = Environment.ProcessId,
            StartedAt = startedAt,
            SiteRoot = siteRoot,
            Credentials = CredentialsOf(loaded),
            AdminTokenFile = loaded.Config.Edges.Values.Select(e => e.AdminToken?.File).FirstOrDefault(f => f is not null) is { } token ? loaded.ResolvePath(token) : null,
            Nodes = nodes,
        };

        output.WriteLine($"{Me}: {(builtIn ? "built-in stack" : "nodes of this machine")} from {configPath}");
        await using var supervisor = new Supervisor(launcher, configPath, stateDir, output, time, Stack);
        try
        {
            var code = await StartAllAsync(supervisor, loaded, plan, siteRoot, cancellationToken);
            if (code != 0)
            {
                return code;
            }

            PrintSummary(loaded, plan, supervisor.Snapshot(), configPath, builtIn);
            supervisor.Supervise();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.WriteLine($"{Me}: stopping every node");
        }
        finally
        {
            await supervisor.StopAsync();
        }

        output.WriteLine($"{Me}: stopped");
        return 0;
    }

    private async Task<int> StartAllAsync(Supervisor supervisor, LoadedConfig loaded, StackPlan plan, string? siteRoot, CancellationToken cancellationToken)
    {
        if (await supervisor.StartAsync(plan.Role("origin"), cancellationToken) is { } f1)
        {
            return Failed(f1, cancellationToken);
        }

        if (plan.RunsEveryOrigin && plan.Role("origin").Any())
        {
            output.WriteLine($"{Me}: setting up the buckets");
            try
            {
                if (await new SetupRunner(loaded, output).SetupAsync(cancellationToken) != 0)
                {
                    error.WriteLine($"{Me}: setup failed (above); stopping");
                    return 1;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                error.WriteLine($"{Me}: setup: {ex.Message}; stopping");
                return 1;
            }
        }

        if (await supervisor.StartAsync(plan.Role("edge"), cancellationToken) is { } f2)
        {
            return Failed(f2, cancellationToken);
        }

        if (plan.RunsEveryOrigin && plan.Role("origin").Any())
        {
            output.WriteLine($"{Me}: deploying {siteRoot}");
            try
            {
                var result = await new Deployer(loaded, edges(loaded), output, new DeployProgress(output, interactive: false))
                    .DeployAsync(new DeployOptions { Folder = siteRoot }, cancellationToken);
                if (result.ExitCode != 0)
                {
                    error.WriteLine($"{Me}: deploy failed (above); stopping");
                    return 1;
                }
            }
            catch (DeployException ex)
            {
                error.WriteLine($"{Me}: deploy: {ex.Message}; stopping");
                return ex.ExitCode;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // An origin or edge failing outside the steps that report per node: one line, then stop.
                error.WriteLine($"{Me}: deploy: {ex.Message}; stopping");
                return 1;
            }
        }
        else
        {
            output.WriteLine($"{Me}: not every origin of the config runs here, so no setup or deploy: run `tandem setup` and `tandem deploy` once all are up");
        }

        if (await supervisor.StartAsync(plan.Role("dns"), cancellationToken) is { } f3)
        {
            return Failed(f3, cancellationToken);
        }

        // Last: the monitor scrapes every other node, so they are all up when it starts.
        if (await supervisor.StartAsync(plan.Role("monitor"), cancellationToken) is { } f4)
        {
            return Failed(f4, cancellationToken);
        }

        return 0;
    }

    private int Failed(StartFailure failure, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        error.WriteLine($"{Me}: {failure.Node.Role} {failure.Node.Name} {failure.Reason}; stopping everything");
        foreach (var line in failure.LastStderr)
        {
            error.WriteLine($"  [{failure.Node.Name}] {line}");
        }

        // A child that found its port taken after the check (a race) is still a busy port.
        return failure.ExitCode == 3 ? 3 : 1;
    }

    private string DefaultSiteRoot()
    {
        if (options.SiteDir is { } dir)
        {
            return Path.GetFullPath(dir);
        }

        return string.IsNullOrEmpty(options.TandemHome)
            ? Path.GetFullPath(Path.Combine("examples", "site"))
            : Path.GetFullPath(Path.Combine(options.TandemHome, "examples", "site"));
    }

    /// <summary>
    /// Keys for every origin run here, the edges' admin token and (built-in stack) the TLS certificate,
    /// each only when missing; an edge with acme gets its certificate itself, and up says from where.
    /// </summary>
    private void PrepareSecrets(LoadedConfig loaded, StackPlan plan, bool builtIn)
    {
        foreach (var node in plan.Role("origin"))
        {
            if (loaded.Config.Origins[node.Name].Credentials is { File: { } file } credentials)
            {
                try
                {
                    CredentialResolver.Resolve(credentials, $"origins.{node.Name}.credentials", loaded.ResolvePath);
                }
                catch (ConfigException)
                {
                    var path = loaded.ResolvePath(file);
                    CredentialResolver.WriteProfile(path, credentials.Profile ?? "default", newKey());
                    output.WriteLine($"{Me}: wrote a new key for {node.Name} to {path} [{credentials.Profile ?? "default"}]");
                }
            }
        }

        foreach (var node in plan.Role("edge"))
        {
            if (loaded.Config.Edges[node.Name].AdminToken?.File is { } token)
            {
                SecretResolver.EnsureTokenFile(loaded.ResolvePath(token));
            }
        }

        if (builtIn)
        {
            foreach (var node in plan.Role("edge"))
            {
                var edge = loaded.Config.Edges[node.Name];
                if (edge.Tls is { } tls &&
                    LocalCertificate.Ensure(loaded.ResolvePath(tls.CertificateFile), loaded.ResolvePath(tls.KeyFile), time.GetUtcNow()))
                {
                    output.WriteLine($"{Me}: made a self-signed certificate for localhost, 127.0.0.1 and ::1: {loaded.ResolvePath(tls.CertificateFile)}");
                }

                if (edge.Acme is { } acme)
                {
                    var http = node.Urls["http"];
                    output.WriteLine($"{Me}: the edge's certificate for {string.Join(", ", acme.Names)} comes over ACME from {acme.DirectoryUrl}; until it is issued the edge serves a temporary self-signed one");
                    output.WriteLine($"{Me}: the CA checks each name over HTTP-01 on the edge's HTTP port, {http}: a public CA connects to port 80 of the name, so in production forward port 80 to it (--port-offset only moves it up from 8080)");
                }
            }
        }
    }

    private static StackCredentials? CredentialsOf(LoadedConfig loaded)
    {
        var withFile = loaded.Config.Origins.Where(o => o.Value.Credentials?.File is not null).ToList();
        if (withFile.Count == 0)
        {
            return null;
        }

        return new StackCredentials
        {
            File = loaded.ResolvePath(withFile[0].Value.Credentials!.File!),
            Profiles = withFile.ToDictionary(o => o.Key, o => o.Value.Credentials!.Profile ?? "default", StringComparer.Ordinal),
        };
    }

    private static StackFile? ReadRunningStack(string stateDir)
    {
        try
        {
            return StackFile.TryRead(StackFile.PathIn(stateDir)) is { } stack && stack.SupervisorAlive() ? stack : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private void PrintSummary(LoadedConfig loaded, StackPlan plan, List<StackNode> nodes, string configPath, bool builtIn)
    {
        var lines = new List<string> { "", $"Tandem is up ({configPath}):" };
        foreach (var node in nodes)
        {
            var label = node.Region is null ? $"{node.Role} {node.Name}" : $"{node.Role} {node.Name} ({node.Region})";
            lines.Add($"  {label,-26} {string.Join("  ", node.Urls.Select(u => $"{u.Key} {u.Value}"))}  pid {node.Pid}");
        }

        var edge = plan.Role("edge").FirstOrDefault();
        if (edge is not null)
        {
            var site = string.Join("  ", SiteSchemes.Where(edge.Urls.ContainsKey).Select(k => edge.Urls[k] + "/"));
            lines.Add($"  site: {site}");
        }

        var dns = plan.Role("dns").FirstOrDefault();
        var zone = loaded.Config.Dns.Zones.Keys.FirstOrDefault();
        var cli = builtIn ? "./tandem" : "tandem";
        lines.Add("");
        lines.Add($"  {cli} deploy     publish the site folder again as a new release");
        lines.Add($"  {cli} drill      inject each outage for real and measure what visitors see");
        lines.Add($"  {cli} status     what runs, what is live, the last drill");
        if (plan.Role("monitor").FirstOrDefault() is { } monitor)
        {
            lines.Add($"  {cli} alarms     the monitor's alarms; dashboard at {monitor.Urls["dashboard"]}/");
        }

        if (dns is not null && zone is not null)
        {
            var endpoint = System.Net.IPEndPoint.Parse(dns.Urls["dns"]);
            lines.Add($"  dig @{endpoint.Address} -p {endpoint.Port} www.{zone}");
        }

        lines.Add("Ctrl-C stops everything.");
        output.WriteLine(string.Join(Environment.NewLine, lines));
        output.Flush();
    }
}

using System.Globalization;
using System.Text.Json;
using Tandem.Core.Configuration;
using Tandem.Core.Releases;
using Tandem.Core.Stack;
using Tandem.Deploy.Origins;

namespace Tandem.Drill;

/// <summary>What <c>tandem drill</c> was asked to do.</summary>
public sealed record DrillOptions
{
    public IReadOnlyList<string> Scenarios { get; init; } = DrillScenarios.All;

    /// <summary>The state folder of <c>tandem up</c>: stack file, holds, and where reports go.</summary>
    public string StateDir { get; init; } = StackFile.DefaultStateDir;

    /// <summary>How long each fault stays. Default 8 s.</summary>
    public TimeSpan Outage { get; init; } = TimeSpan.FromSeconds(8);

    public int Concurrency { get; init; } = 4;

    public string? Edge { get; init; }

    /// <summary>Print the report's JSON instead of the table.</summary>
    public bool Json { get; init; }
}

/// <summary>
/// The reference's "Testing Failover", automated: steady load through the edge while each
/// scenario injects an outage of the primary, holds it, restores it and waits for traffic to
/// come back, then the figures per scenario as a table and a JSON report. Exit 0 when every
/// scenario passed, 1 when a visitor saw an error or a recovery failed, 2 for a usage or config
/// problem, 130 when interrupted (what was injected is restored all the same).
/// </summary>
public sealed class DrillRunner(LoadedConfig loaded, StackFile? stack, DrillOptions options, TextWriter output, TextWriter progress)
{
    /// <summary>Baseline: at least this long before each fault, to see the primary serve.</summary>
    private static readonly TimeSpan BaselineMin = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan BaselineMax = TimeSpan.FromSeconds(15);

    /// <summary>A fault stays until failover is seen, but no longer than this (or the outage, if longer).</summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(20);

    /// <summary>After the restore, traffic must be back on the primary within this.</summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(30);

    /// <summary>Every fault also ends by itself this long after the outage, should the drill be killed.</summary>
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(30);

    /// <summary>Most paths the load cycles through.</summary>
    private const int MaxPaths = 30;

    private const string ErrorPagePath = "/404.html";

    private static readonly string[] TableHeader = ["scenario", "requests", "errors", "failover", "recovery", "slowest", "result"];

    private sealed record ScenarioRun(string Name, DrillWindow Window, List<string> Notes, bool Failed, bool Interrupted = false);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        DrillPlan plan;
        try
        {
            plan = DrillPlan.From(loaded, stack, options.Edge);
            CheckRequirements(plan);
        }
        catch (DrillUsageException ex)
        {
            await progress.WriteLineAsync($"tandem drill: {ex.Message}");
            return 2;
        }

        OriginConnection? primaryS3 = null;
        try
        {
            if (options.Scenarios.Contains(DrillScenarios.WebsiteDeleted))
            {
                // Needed: a config problem here is a usage error, before anything is injected.
                primaryS3 = OriginConnection.OpenAll(loaded, [plan.Primary])[0];
            }
            else
            {
                try
                {
                    primaryS3 = OriginConnection.OpenAll(loaded, [plan.Primary])[0];
                }
                catch (ConfigException)
                {
                    // Only used to list the site's paths; the drill falls back to "/" and the error page.
                }
            }
        }
        catch (ConfigException ex)
        {
            await progress.WriteLineAsync($"tandem drill: website-deleted needs the primary's S3 API: {ex.Message}");
            return 2;
        }

        using var primaryConnection = primaryS3;
        if (primaryS3 is not null && await WebsiteDeletedFault.RecoverAsync(primaryS3, options.StateDir, loaded.Config.Site, cancellationToken) is { } recovered)
        {
            await progress.WriteLineAsync($"drill: {recovered}");
        }

        var started = DateTimeOffset.UtcNow;
        await using var load = new DrillLoad(plan.EdgeUrl, plan.RequestTimeoutMs);
        var paths = await SitePathsAsync(primaryS3, cancellationToken);
        var pages = paths.Where(IsPage).ToList();
        var failed = await load.WarmAsync(paths, pages, ErrorPagePath, cancellationToken);
        if (failed.Contains("/") || !load.HasPages)
        {
            await progress.WriteLineAsync($"tandem drill: the edge at {plan.EdgeUrl} does not serve the site's pages (no answer for {string.Join(", ", failed.DefaultIfEmpty("/"))}); is the stack running?");
            return 1;
        }

        await progress.WriteLineAsync($"drill: {options.Concurrency} visitor(s) through {plan.EdgeName} at {plan.EdgeUrl} over {paths.Count} path(s); primary {plan.Primary}, standby {plan.Standby}; outage {options.Outage.TotalSeconds:0.#} s");
        load.Start(options.Concurrency, cancellationToken);
        var runs = new List<ScenarioRun>();
        var interrupted = false;
        foreach (var scenario in options.Scenarios)
        {
            var run = await RunScenarioAsync(scenario, plan, load, primaryS3, cancellationToken);
            runs.Add(run);
            if (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }
        }

        await load.StopAsync();
        var samples = load.Samples();
        var report = new DrillReport
        {
            Started = started,
            Finished = DateTimeOffset.UtcNow,
            Target = plan.EdgeUrl,
            Passed = false,
            Scenarios = runs.Select(r => Result(r, samples, plan)).ToList(),
        };
        report = report with { Passed = !interrupted && report.Scenarios.Count > 0 && report.Scenarios.All(s => s.Passed) };
        var path = report.Write(options.StateDir);
        if (options.Json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(report, StackFile.Json));
        }
        else
        {
            await output.WriteAsync(Table(report));
            await output.WriteLineAsync($"report: {path}");
        }

        return interrupted ? 130 : report.Passed ? 0 : 1;
    }

    private void CheckRequirements(DrillPlan plan)
    {
        foreach (var scenario in options.Scenarios)
        {
            if (DrillScenarios.NeedsSupervisor(scenario) && (stack is null || !stack.SupervisorAlive()))
            {
                throw new DrillUsageException($"{scenario} needs a stack run by `tandem up` (no running supervisor in {StackFile.PathIn(options.StateDir)}): only its supervisor starts a killed origin again");
            }

            if (scenario == DrillScenarios.Freeze && stack?.Find("origin", plan.Primary)?.Pid is null)
            {
                throw new DrillUsageException($"freeze needs the primary's process id from {StackFile.PathIn(options.StateDir)} (a stack run by `tandem up`)");
            }

            if (scenario is DrillScenarios.ServerError or DrillScenarios.Slow && plan.PrimaryDataDir is null)
            {
                throw new DrillUsageException($"{scenario} needs a Tandem origin run from this config ($.origins.{plan.Primary}.server.dataDir), where the fault file goes");
            }
        }
    }

    private async Task<ScenarioRun> RunScenarioAsync(string scenario, DrillPlan plan, DrillLoad load, OriginConnection? primaryS3, CancellationToken cancellationToken)
    {
        var bothDown = scenario == DrillScenarios.BothDown;
        var notes = new List<string>();
        var failed = false;
        var start = load.Now;
        await progress.WriteLineAsync($"{scenario}: baseline");
        var serving = await WaitAsync(load, () => DrillMeasure.PrimaryServingMs(load.Samples(), start, plan.Primary) is not null, BaselineMin, BaselineMax, cancellationToken);
        if (!serving)
        {
            notes.Add(cancellationToken.IsCancellationRequested
                ? "interrupted before the fault"
                : $"{plan.Primary} did not serve uncached requests within {BaselineMax.TotalSeconds:0} s before the fault; nothing was injected");
            return new ScenarioRun(scenario, new DrillWindow(start, null, null, load.Now), notes, true, cancellationToken.IsCancellationRequested);
        }

        IDrillFault? fault = null;
        using var dnsStop = new CancellationTokenSource();
        var dns = bothDown && plan.Dns is { } watch ? new DnsPoller(watch, () => load.Now) : null;
        var dnsTask = dns?.RunAsync(dnsStop.Token) ?? Task.CompletedTask;
        double? t0 = null;
        double t1;
        try
        {
            fault = Fault(scenario, plan, primaryS3);
            t0 = load.Now;
            await progress.WriteLineAsync($"{scenario}: inject: {fault.Describe}");
            await fault.InjectAsync(cancellationToken);
            var outageStart = t0.Value;
            await WaitAsync(load,
                () => bothDown || DrillMeasure.FailoverMs(load.Samples(), outageStart, null, plan.Primary) is not null,
                options.Outage, options.Outage > FailoverBound ? options.Outage : FailoverBound, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            notes.Add($"inject failed: {Describe(ex)}");
            failed = true;
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            t1 = load.Now;
            using var restoreBound = new CancellationTokenSource(RecoveryBound + TimeSpan.FromSeconds(15));
            try
            {
                if (fault is not null)
                {
                    await progress.WriteLineAsync($"{scenario}: restore");
                    await fault.RestoreAsync(restoreBound.Token);
                }
            }
            catch (Exception ex)
            {
                notes.Add($"restore failed: {Describe(ex)}");
                failed = true;
            }
        }

        if (cancellationToken.IsCancellationRequested)
        {
            notes.Add("interrupted; the fault was restored");
            failed = true;
        }
        else
        {
            var restored = t1;
            var recovered = await WaitAsync(load,
                () => DrillMeasure.PrimaryServingMs(load.Samples(), restored, plan.Primary) is not null
                    && (dns is null || DnsMovement.MovedAndBack(dns.Observations(), plan.Dns!, t0 ?? restored, restored)),
                TimeSpan.Zero, RecoveryBound, cancellationToken);
            if (!recovered && cancellationToken.IsCancellationRequested)
            {
                notes.Add("interrupted while waiting for the recovery");
                failed = true;
            }
        }

        await dnsStop.CancelAsync();
        await dnsTask;
        if (!cancellationToken.IsCancellationRequested && !await SettleAsync(plan, cancellationToken))
        {
            notes.Add($"the edge did not see every origin of the group ({string.Join(", ", plan.GroupOrigins)}) healthy again within {RecoveryBound.TotalSeconds:0} s of the restore");
            failed = true;
        }

        var end = load.Now;
        var interrupted = cancellationToken.IsCancellationRequested;
        if (dns is not null && t0 is { } injected && !interrupted)
        {
            var move = DnsMovement.Describe(dns.Observations(), plan.Dns!, injected, t1, t1 - injected);
            notes.Add(move.Note);
            failed |= move.Failed;
        }

        return new ScenarioRun(scenario, new DrillWindow(start, t0, t0 is null ? null : t1, end), notes, failed, interrupted);
    }

    /// <summary>
    /// Waits until the edge's /healthz/origins names every origin of the group, so the next
    /// scenario (and whatever runs after the drill) starts from a whole stack: the primary serving
    /// again is the recovery, but the standby may still be climbing its healthy threshold after a
    /// both-down. True at once when the edge's admin address is not known.
    /// </summary>
    private static async Task<bool> SettleAsync(DrillPlan plan, CancellationToken cancellationToken)
    {
        if (plan.EdgeAdminUrl is null || plan.GroupOrigins.Count == 0)
        {
            return true;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTimeOffset.UtcNow + RecoveryBound;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(plan.EdgeAdminUrl + "/healthz/origins", cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode && HealthyOrigins(text).IsSupersetOf(plan.GroupOrigins))
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return true;
    }

    /// <summary>The names in "ok: primary, standby".</summary>
    internal static HashSet<string> HealthyOrigins(string text)
    {
        var body = text.Trim();
        return body.StartsWith("ok:", StringComparison.Ordinal)
            ? body[3..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)
            : [];
    }

    private IDrillFault Fault(string scenario, DrillPlan plan, OriginConnection? primaryS3)
    {
        var expiry = options.Outage + ExpiryMargin;
        var until = DateTimeOffset.UtcNow + expiry;
        return scenario switch
        {
            DrillScenarios.WebsiteDeleted => new WebsiteDeletedFault(primaryS3!, options.StateDir),
            DrillScenarios.Kill => new KillFault(options.StateDir, [plan.Primary], expiry, RecoveryBound),
            DrillScenarios.BothDown => new KillFault(options.StateDir, [plan.Primary, plan.Standby], expiry, RecoveryBound),
            DrillScenarios.Freeze => new FreezeFault(options.StateDir, plan.Primary,
                KillFault.ReadStack(options.StateDir).Find("origin", plan.Primary)?.Pid ?? throw new InvalidOperationException($"no process id for {plan.Primary}"), expiry),
            DrillScenarios.ServerError => new OriginFaultFile(plan.Primary, plan.PrimaryDataDir!, new OriginFault { Status = 503, Until = until }),
            DrillScenarios.Slow => new OriginFaultFile(plan.Primary, plan.PrimaryDataDir!, new OriginFault { DelayMs = plan.PrimaryResponseTimeoutMs + 1500, Until = until }),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, "unknown scenario"),
        };
    }

    /// <summary>
    /// Polls <paramref name="done"/> every 100 ms: true once it holds after at least
    /// <paramref name="min"/>, false when <paramref name="max"/> passed or the drill was interrupted.
    /// </summary>
    private static async Task<bool> WaitAsync(DrillLoad load, Func<bool> done, TimeSpan min, TimeSpan max, CancellationToken cancellationToken)
    {
        var from = load.Now;
        while (true)
        {
            var elapsed = load.Now - from;
            if (elapsed >= min.TotalMilliseconds && done())
            {
                return true;
            }

            if (elapsed >= max.TotalMilliseconds)
            {
                return false;
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private static DrillScenarioResult Result(ScenarioRun run, List<DrillSample> samples, DrillPlan plan)
    {
        var bothDown = run.Name == DrillScenarios.BothDown;
        var m = DrillMeasure.Measure(samples, run.Window, plan.Primary, bothDown);
        var notes = new List<string>(run.Notes);
        notes.AddRange(m.ErrorSummary);
        if (run.Window.InjectMs is not null && !bothDown && m.FailoverMs is null && !run.Interrupted)
        {
            notes.Add($"no uncached request was served by another origin than {plan.Primary} during the outage");
        }

        if (bothDown && run.Window.RestoreMs is not null)
        {
            notes.Add($"during the outage: {m.OutageCacheHits} cached request(s) answered from the edge's cache, {m.OutageErrorPages} uncached request(s) got the site's error page");
        }

        if (run.Window.RestoreMs is not null && m.RecoveryMs is null && !run.Interrupted)
        {
            notes.Add($"uncached requests were not served by {plan.Primary} again within {RecoveryBound.TotalSeconds:0} s of the restore");
        }

        var passed = !run.Failed && m.Errors == 0 && m.RecoveryMs is not null && (bothDown || m.FailoverMs is not null);
        return new DrillScenarioResult
        {
            Scenario = run.Name,
            Passed = passed,
            Requests = m.Requests,
            Errors = m.Errors,
            FailoverMs = Round(m.FailoverMs),
            RecoveryMs = Round(m.RecoveryMs),
            SlowestMs = Round(m.SlowestMs)!.Value,
            OutageErrorPages = m.OutageErrorPages,
            OutageCacheHits = m.OutageCacheHits,
            Notes = notes,
        };
    }

    private static double? Round(double? ms) => ms is { } v ? Math.Round(v, 1) : null;

    /// <summary>The table the drill prints: one row per scenario, then its notes.</summary>
    internal static string Table(DrillReport report)
    {
        var rows = new List<string[]> { TableHeader };
        rows.AddRange(report.Scenarios.Select(s => new[]
        {
            s.Scenario,
            s.Requests.ToString(CultureInfo.InvariantCulture),
            s.Errors.ToString(CultureInfo.InvariantCulture),
            Seconds(s.FailoverMs),
            Seconds(s.RecoveryMs),
            Seconds(s.SlowestMs),
            s.Passed ? "passed" : "FAILED",
        }));
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new System.Text.StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c is 0 or 6 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }

        foreach (var s in report.Scenarios.Where(s => s.Notes.Count > 0))
        {
            foreach (var note in s.Notes)
            {
                text.AppendLine($"{s.Scenario}: {note}");
            }
        }

        text.AppendLine(report.Passed ? "drill passed" : "drill FAILED");
        return text.ToString();
    }

    private static string Seconds(double? ms) => ms is { } v ? (v / 1000).ToString("0.00 's'", CultureInfo.InvariantCulture) : "-";

    /// <summary>
    /// "/", the error page and the files of the live release (from the primary's manifest, else
    /// the standby's is not needed: the edge serves the same release), at most <see cref="MaxPaths"/>.
    /// </summary>
    private async Task<List<string>> SitePathsAsync(OriginConnection? origin, CancellationToken cancellationToken)
    {
        var paths = new List<string> { "/", ErrorPagePath };
        if (origin is null)
        {
            return paths;
        }

        try
        {
            if (await ReleaseReader.ReadLiveAsync(origin, cancellationToken) is { } live
                && await ReleaseReader.ReadManifestAsync(origin, live.Id, cancellationToken) is { } manifest)
            {
                paths.AddRange(SitePaths(manifest, loaded.Config.Site.IndexDocument));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await progress.WriteLineAsync($"drill: could not read the live release from {origin.Name} ({origin.Describe(ex)}); the load uses / and {ErrorPagePath} only");
        }

        return paths.Distinct(StringComparer.Ordinal).Take(MaxPaths).ToList();
    }

    /// <summary>URL paths of a release's files: index documents as their folder ("about/index.html" is "/about/").</summary>
    internal static IEnumerable<string> SitePaths(ReleaseManifest manifest, string indexDocument) =>
        manifest.Files
            .Select(f => f.Path)
            .OrderBy(p => p.EndsWith(".html", StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(p => p, StringComparer.Ordinal)
            .Select(p => p == indexDocument ? "/" : p.EndsWith("/" + indexDocument, StringComparison.Ordinal) ? "/" + p[..^indexDocument.Length] : "/" + p)
            .Select(p => string.Join('/', p.Split('/').Select(Uri.EscapeDataString)));

    /// <summary>A page that uncached requests may use: a folder or an HTML file, but not the error page.</summary>
    internal static bool IsPage(string path) => path != ErrorPagePath && (path.EndsWith('/') || path.EndsWith(".html", StringComparison.Ordinal));

    private static string Describe(Exception ex)
    {
        while (ex.InnerException is not null && ex is AggregateException)
        {
            ex = ex.InnerException;
        }

        return ex.Message;
    }
}

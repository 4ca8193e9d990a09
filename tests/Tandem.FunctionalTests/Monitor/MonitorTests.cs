using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tandem.Core.Configuration;
using Tandem.Core.Stack;
using Tandem.Dns;
using Tandem.Drill;
using Tandem.Edge.Admin;
using Tandem.FunctionalTests.Dns;
using Tandem.FunctionalTests.Edge;
using Tandem.FunctionalTests.Infrastructure;
using Tandem.Monitor;
using Tandem.Monitor.Alarms;
using Tandem.Monitor.Export;
using Tandem.Monitor.Scraping;

namespace Tandem.FunctionalTests.Monitor;

public sealed class MonitorTests
{
    private static MonitorOptions Options(FailoverRig rig, string store, IReadOnlyDictionary<string, AlarmConfig> alarms) => new()
    {
        Name = "mon-test",
        Listen = new IPEndPoint(IPAddress.Loopback, 0),
        StorePath = store,
        ScrapeInterval = TimeSpan.FromMilliseconds(500),
        Targets =
        [
            new ScrapeTarget("edge", "edge-test", new Uri(rig.Edge.AdminUrl, "/metrics")),
            new ScrapeTarget("origin", "primary", new Uri(rig.Primary.S3Url.TrimEnd('/') + "/_tandem/metrics")),
            new ScrapeTarget("origin", "standby", new Uri(rig.Standby.S3Url.TrimEnd('/') + "/_tandem/metrics")),
        ],
        Alarms = [.. alarms.Select(a => new AlarmDefinition(a.Key, a.Value))],
        OriginGroups = new Dictionary<string, IReadOnlyList<string>> { ["site"] = ["primary", "standby"] },
        Regions = new Dictionary<string, string?> { ["primary"] = "primary", ["standby"] = "standby" },
    };

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    private static string StateOf(MonitorHost host, string alarm) => host.ReadModel.Current().Alarms.Single(a => a.Name == alarm).State;

    /// <summary>
    /// The drill library's 5xx fault (what `tandem drill 5xx` injects) under load; DrillTests runs
    /// `tandem drill 5xx` itself against a monitor. This one also restarts the monitor on its store.
    /// </summary>
    [Fact]
    public async Task DrillFault_FailoverAlarm_GoesToAlarmAndBack_TheWebhookGetsExactlyThoseTwo_AndARestartKeepsTheHistory()
    {
        await using var rig = await FailoverRig.StartAsync();
        await using var hook = await WebhookReceiver.StartAsync();
        using var dir = new TempDir("tandem-monitor");

        // The default origin-failovers alarm (Failovers Sum > 0, 1 of 1, notBreaching), shortened
        // from 60 s to 10 s periods so OK comes back within the test, with a webhook besides the log.
        var alarms = new Dictionary<string, AlarmConfig>
        {
            ["origin-failovers"] = MonitorConfig.DefaultAlarms["origin-failovers"] with
            {
                PeriodSeconds = 10,
                Actions = [new AlarmActionConfig { Webhook = hook.Url.ToString() }, new AlarmActionConfig { Log = true }],
            },
        };
        var options = Options(rig, dir.Combine("mon.db"), alarms) with { StateDir = dir.Path };
        var started = DateTimeOffset.UtcNow;

        var fault = new OriginFaultFile("primary", rig.Primary.DataDirectory, new OriginFault { Status = 503, Until = DateTimeOffset.UtcNow.AddMinutes(1) });
        var monitor = await MonitorHost.StartAsync(options);
        using var http = new HttpClient { BaseAddress = rig.Edge.HttpUrl, Timeout = TimeSpan.FromSeconds(10) };
        using var stopLoad = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stopLoad.IsCancellationRequested; i++)
            {
                try
                {
                    using var _ = await http.GetAsync(FailoverRig.UncachedPaths[i % FailoverRig.UncachedPaths.Length], stopLoad.Token);
                }
                catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                {
                }

                await Task.Delay(30, CancellationToken.None);
            }
        });
        try
        {
            // Quiet start: INSUFFICIENT_DATA -> OK is in the history but runs no action.
            await WaitForAsync(() => StateOf(monitor, "origin-failovers") == AlarmStates.Ok, TimeSpan.FromSeconds(10), "OK after the first rounds");

            await fault.InjectAsync(CancellationToken.None);
            await WaitForAsync(() => StateOf(monitor, "origin-failovers") == AlarmStates.Alarm, TimeSpan.FromSeconds(20), "ALARM after the primary failed");
            Assert.StartsWith("Threshold Crossed: 1 out of the last 1 datapoints [", monitor.ReadModel.Current().Alarms[0].Reason);

            await fault.RestoreAsync(CancellationToken.None);
            Assert.False(File.Exists(OriginFault.PathIn(rig.Primary.DataDirectory)));
            await WaitForAsync(() => StateOf(monitor, "origin-failovers") == AlarmStates.Ok, TimeSpan.FromSeconds(30), "OK after the primary was restored");
            await WaitForAsync(() => hook.Received.Count >= 2, TimeSpan.FromSeconds(5), "two notifications");
            await Task.Delay(1500);

            var received = hook.Received.ToList();
            Assert.Equal(2, received.Count);
            Assert.Equal(("origin-failovers", "OK", "ALARM"), (received[0].GetProperty("alarm").GetString(), received[0].GetProperty("oldState").GetString(), received[0].GetProperty("newState").GetString()));
            Assert.Equal(("origin-failovers", "ALARM", "OK"), (received[1].GetProperty("alarm").GetString(), received[1].GetProperty("oldState").GetString(), received[1].GetProperty("newState").GetString()));
            Assert.True(received[0].GetProperty("values")[0].GetProperty("value").GetDouble() > 0);
            Assert.Contains("greater than the threshold (0.0)", received[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Contains("not greater than", received[1].GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.String, received[1].GetProperty("at").ValueKind);

            // The dashboard's view: the edge's requests and failovers, nodes up, the group serving from the primary again.
            var snapshot = monitor.ReadModel.Current();
            Assert.All(snapshot.Nodes, n => Assert.True(n.Up, n.Error));
            Assert.Contains(snapshot.Nodes, n => n.Role == "origin" && n.Name == "primary");
            await WaitForAsync(() => monitor.ReadModel.Current().OriginGroups.Single().ServingFrom == "primary", TimeSpan.FromSeconds(10), "primary healthy again");
            var failovers = monitor.ReadModel.Query(MonitorMetrics.Failovers, null, started, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1));
            Assert.Contains(failovers, s => s.Node == "edge-test" && s.Labels["origin"] == "primary" && s.Points.Any(p => p.Value > 0));
            Assert.Contains(failovers, s => s.Node is null);
        }
        finally
        {
            await fault.RestoreAsync(CancellationToken.None);
            await stopLoad.CancelAsync();
            await load;
            await monitor.DisposeAsync();
        }

        // A drill's report in the state folder is listed.
        new DrillReport { Started = started, Finished = DateTimeOffset.UtcNow, Target = rig.Edge.HttpUrl!.ToString(), Passed = true }.Write(dir.Path);

        // A restart on the same store keeps the points and the alarm's state and history.
        var before = DateTimeOffset.UtcNow;
        await using var again = await MonitorHost.StartAsync(options);
        var requests = again.ReadModel.Query(MonitorMetrics.Requests, "edge-test", started, before, TimeSpan.FromSeconds(1));
        Assert.True(Assert.Single(requests).Points.Count > 10);
        Assert.True(Assert.Single(again.ReadModel.Current().Drills).Passed);
        var view = again.ReadModel.Current().Alarms.Single();
        Assert.Equal((AlarmStates.Ok, true), (view.State, view.Since < before));
        using var api = new HttpClient();
        var answer = await api.GetFromJsonAsync<JsonElement>(new Uri(again.Url, "/api/alarms?history=true"));

        // The dashboard on the same listener reads this model: the page, and the alarm in its state.
        Assert.Contains("<html", await api.GetStringAsync(again.Url), StringComparison.OrdinalIgnoreCase);
        var state = await api.GetFromJsonAsync<JsonElement>(new Uri(again.Url, "/api/state"));
        Assert.Equal("origin-failovers", state.GetProperty("alarms")[0].GetProperty("name").GetString());
        Assert.Equal(["ALARM->OK", "OK->ALARM", "INSUFFICIENT_DATA->OK"],
            answer.GetProperty("history").EnumerateArray().Select(h => $"{h.GetProperty("oldState").GetString()}->{h.GetProperty("newState").GetString()}"));
        Assert.Equal(2, hook.Received.Count);
    }

    [Fact]
    public async Task CertificateExpiry_AnEdgeServingACertificateValid10Days_PutsTheDefaultAlarmInAlarm()
    {
        await using var site = await EdgeHttpsTests.StartAsync(lifetime: TimeSpan.FromDays(10));
        using var dir = new TempDir("tandem-monitor");

        // The edge really serves that certificate.
        using (var https = EdgeHttpsTests.Trusting(() => site.Certificate.Thumbprint))
        {
            using var served = await https.GetAsync(site.Edge.HttpsUrl);
            served.EnsureSuccessStatusCode();
        }

        var started = DateTimeOffset.UtcNow;
        await using var monitor = await StartMonitorOnEdgeAsync(dir, site.Edge.AdminUrl, [.. MonitorConfig.DefaultAlarms.Select(a => new AlarmDefinition(a.Key, a.Value))]);

        await WaitForAsync(() => StateOf(monitor, "certificate-expiry") == AlarmStates.Alarm, TimeSpan.FromSeconds(30), "certificate-expiry in ALARM");
        var view = monitor.ReadModel.Current().Alarms.Single(a => a.Name == "certificate-expiry");
        Assert.Contains("less than the threshold (14.0)", view.Reason, StringComparison.Ordinal);
        Assert.Equal(MonitorConfig.DefaultAlarms["certificate-expiry"].Description, view.Description);
        Assert.NotEqual(AlarmStates.Alarm, StateOf(monitor, "origin-failovers"));

        // Per edge and name, in days: just under 10 for both names the certificate covers.
        var series = monitor.ReadModel.Query(MonitorMetrics.CertificateExpiryDays, "edge-test", started, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1));
        Assert.Equal(["127.0.0.1", "localhost"], series.Select(s => s.Labels["name"]).Order(StringComparer.Ordinal));
        Assert.All(series.SelectMany(s => s.Points), p => Assert.InRange(p.Value, 9.9, 10));

        // The dashboard's per-edge view: the soonest expiry.
        Assert.InRange(monitor.ReadModel.Current().CertificateExpiryDays["edge-test"]!.Value, 9.9, 10);
    }

    [Fact]
    public async Task ReleasesMadeLiveOnAnEdge_AreItsLiveRelease_AndTheReleasesMetricCountsEachOnce()
    {
        await using var rig = await ReleaseRig.StartAsync();
        var a = await rig.UploadAsync(ReleaseRig.Site("A"));
        var b = await rig.UploadAsync(ReleaseRig.Site("B"));
        var edge = await rig.StartEdgeAsync(rig.Dir.Combine("edge-state"));
        var config = rig.ConfigFor(edge);
        using var dir = new TempDir("tandem-monitor");
        var started = DateTimeOffset.UtcNow;
        await using var monitor = await StartMonitorOnEdgeAsync(dir, edge.AdminUrl,
            [new AlarmDefinition("release-made-live", new AlarmConfig { Metric = MonitorMetrics.Releases, Statistic = "Sum", PeriodSeconds = 60, TreatMissingData = "notBreaching" })]);
        await WaitForAsync(() => StateOf(monitor, "release-made-live") == AlarmStates.Ok && monitor.ReadModel.Current().Nodes.Single(n => n.Name == "edge-test").Up,
            TimeSpan.FromSeconds(10), "a scrape of the edge before any release");
        Assert.Null(monitor.ReadModel.Current().LiveRelease["edge-test"]);

        // Releases per edge and in total, over the whole test: one point per scrape, 1 where a release went live.
        double Made(string node) => monitor.ReadModel.Query(MonitorMetrics.Releases, node, started, DateTimeOffset.UtcNow.AddSeconds(1), TimeSpan.FromMilliseconds(1))
            .SelectMany(s => s.Points).Sum(p => p.Value);
        var made = 0;
        foreach (var id in new[] { a, b })
        {
            // As `tandem deploy` makes a release live on an edge: prepare, then activate.
            var prepared = Assert.Single(await ReleaseClient.PrepareAsync(config, id, default));
            Assert.True(prepared.Ok, prepared.Error);
            var activated = Assert.Single(await ReleaseClient.ActivateAsync(config, id, [], default));
            Assert.True(activated.Ok, activated.Error);
            made++;
            await WaitForAsync(() => monitor.ReadModel.Current().LiveRelease["edge-test"] == id && Made("edge-test") == made, TimeSpan.FromSeconds(10), $"release {id} live in the monitor");
        }

        // More rounds on the same release add nothing; the total is the one edge's count.
        var last = monitor.ReadModel.Current().LastScrape;
        await WaitForAsync(() => monitor.ReadModel.Current().LastScrape > last + TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), "more scrape rounds");
        Assert.Equal((2.0, 2.0), (Made("edge-test"), Made("")));
        var values = monitor.ReadModel.Query(MonitorMetrics.Releases, "edge-test", started, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1)).Single().Points.Select(p => p.Value).ToList();
        Assert.Equal(2, values.Count(v => v == 1));
        Assert.True(values.Count(v => v == 0) >= 2 && values.All(v => v is 0 or 1), string.Join(", ", values));
        Assert.Equal(b, monitor.ReadModel.Current().LiveRelease["edge-test"]);

        // An alarm can watch it: in ALARM since the first release (its reason is that change's), still in it after the second.
        var alarm = monitor.ReadModel.Current().Alarms.Single();
        Assert.Equal(AlarmStates.Alarm, alarm.State);
        Assert.StartsWith("Threshold Crossed: 1 out of the last 1 datapoints [1.0 (", alarm.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryKindOfNode_ServesMetricsThatPromtoolAccepts()
    {
        await using var rig = await FailoverRig.StartAsync();
        await using var dns = await DnsRig.StartAsync(DnsRig.ZoneJson(DnsRig.ClosedPort()));
        using var dir = new TempDir("tandem-monitor");
        var options = Options(rig, dir.Combine("mon.db"), MonitorConfig.DefaultAlarms) with
        {
            Targets = [.. Options(rig, "", MonitorConfig.DefaultAlarms).Targets, new ScrapeTarget("dns", "ns1", new Uri(dns.MetricsUrl, "/metrics"))],
        };
        await using var monitor = await MonitorHost.StartAsync(options);

        using var http = new HttpClient();
        foreach (var path in FailoverRig.MixedPaths)
        {
            (await http.GetAsync(new Uri(rig.Edge.HttpUrl!, path))).EnsureSuccessStatusCode();
        }

        await Dig.QueryAsync(dns.Endpoint, "www.example.test", "A");
        await WaitForAsync(() => monitor.ReadModel.Current().LastScrape is not null, TimeSpan.FromSeconds(5), "a scrape round");

        var pages = new Dictionary<string, Uri>
        {
            ["edge"] = new(rig.Edge.AdminUrl, "/metrics"),
            ["origin"] = new(rig.Primary.S3Url.TrimEnd('/') + "/_tandem/metrics"),
            ["dns"] = new(dns.MetricsUrl, "/metrics"),
            ["monitor"] = new(monitor.Url, "/metrics"),
        };
        foreach (var (role, url) in pages)
        {
            var text = await http.GetStringAsync(url);
            Assert.Contains("# TYPE tandem_", text, StringComparison.Ordinal);
            var check = await Promtool.CheckMetricsAsync(text);
            Assert.True(check.ExitCode == 0 && check.StdErr.Trim().Length == 0 && check.StdOut.Trim().Length == 0,
                $"promtool check metrics on the {role}'s {url}: exit {check.ExitCode}\n{check.StdOut}\n{check.StdErr}");
        }

        var origin = await http.GetStringAsync(pages["origin"]);
        Assert.Contains("tandem_origin_requests_total{endpoint=\"website\",status=\"2xx\"}", origin, StringComparison.Ordinal);
        Assert.Contains("tandem_monitor_alarm_state{alarm=\"edge-5xx-rate\",state=\"OK\"}", await http.GetStringAsync(pages["monitor"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportedPrometheusConfigAndRules_PassPromtool()
    {
        using var dir = new TempDir("tandem-export");
        var config = ConfigLoader.Parse(UpTemplateConfig(), Path.Combine(dir.Path, "tandem.json")).Config;
        var files = PrometheusExport.Write(config, dir.Path);

        var rules = await Promtool.RunAsync("check", "rules", files[1]);
        Assert.True(rules.ExitCode == 0, rules.StdOut + rules.StdErr);
        Assert.Contains("SUCCESS: 3 rules found", rules.StdOut, StringComparison.Ordinal);
        var written = await File.ReadAllTextAsync(files[1]);
        Assert.All(MonitorConfig.DefaultAlarms.Keys, a => Assert.Contains($"alarm: '{a}'", written, StringComparison.Ordinal));
        // An alarm on every metric the monitor keeps (M of N, so each also sits in a subquery) is a rule promtool accepts.
        var every = MonitorMetrics.All.ToDictionary(m => "on-" + m.ToLowerInvariant(), m => new AlarmConfig { Metric = m, PeriodSeconds = 60, EvaluationPeriods = 3, DatapointsToAlarm = 2, Threshold = 1 });
        var everyFile = dir.Combine("every.yml");
        await File.WriteAllTextAsync(everyFile, PrometheusExport.Rules(every));
        var everyCheck = await Promtool.RunAsync("check", "rules", everyFile);
        Assert.True(everyCheck.ExitCode == 0, everyCheck.StdOut + everyCheck.StdErr);
        Assert.Contains($"SUCCESS: {MonitorMetrics.All.Count} rules found", everyCheck.StdOut, StringComparison.Ordinal);

        var check = await Promtool.RunAsync("check", "config", files[0]);
        Assert.True(check.ExitCode == 0, check.StdOut + check.StdErr);
        var yml = await File.ReadAllTextAsync(files[0]);
        Assert.Contains("metrics_path: /_tandem/metrics", yml, StringComparison.Ordinal);
        Assert.Contains("targets: ['127.0.0.1:8081']", yml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_MonitorRunsFromTheConfig_AlarmsListsThem_AndABadAlarmIsAClearError()
    {
        using var dir = new TempDir("tandem-monitor-cli");
        var port = OriginProcess.FreePort();
        var config = dir.Combine("tandem.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:9" } },
              "monitor": { "nodes": { "mon-1": { "listen": "127.0.0.1:{{port}}" } }, "scrapeIntervalMs": 500 }
            }
            """);
        await using (var monitor = await RoleProcess.StartAsync("monitor", "mon-1", "--config", config))
        {
            Assert.Contains($"monitor mon-1 ready: http http://127.0.0.1:{port}", monitor.ReadyLine, StringComparison.Ordinal);
            Assert.True(File.Exists(dir.Combine(".tandem", "monitor", "mon-1.db")));
            await Task.Delay(1500);
            var alarms = await ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, "alarms", "--config", config, "--history"]);
            Assert.True(alarms.ExitCode == 0, alarms.StdErr);
            var lines = alarms.StdOut.Split('\n');
            Assert.Matches(@"^ALARM +STATE +SINCE +REASON$", lines[0]);

            // Nothing to scrape: every period is missing, which the defaults treat as not breaching.
            Assert.Contains(lines, l => Regex.IsMatch(l,
                @"^edge-5xx-rate +OK +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +Threshold Crossed: 2 out of the last 2 datapoints \[missing \(.*\), missing \(.*\)\] were not greater than the threshold \(5\.0\) \(minimum 2 datapoints for ALARM\)\.$"));
            Assert.Contains(lines, l => Regex.IsMatch(l, @"^origin-failovers +OK +\S+ \S+ +Threshold Crossed: 1 out of the last 1 datapoints \[missing \(.*\)\] was not greater than the threshold \(0\.0\)"));
            Assert.Contains(lines, l => Regex.IsMatch(l, @"^certificate-expiry +OK +\S+ \S+ +Threshold Crossed: 1 out of the last 1 datapoints \[missing \(.*\)\] was not less than the threshold \(14\.0\)"));

            // The history: each alarm's first evaluation, after the HISTORY heading.
            var history = lines.SkipWhile(l => l != "HISTORY (newest first)").Skip(1).Where(l => l.Length > 0).ToList();
            Assert.Equal(["certificate-expiry", "edge-5xx-rate", "origin-failovers"],
                history.Select(l => Regex.Match(l, @"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ  (\S+)  INSUFFICIENT_DATA -> OK  Threshold Crossed: ").Groups[1].Value).Order(StringComparer.Ordinal));
        }

        var export = await ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, "monitor", "--export-prometheus", dir.Combine("prom"), "--config", config]);
        Assert.True(export.ExitCode == 0, export.StdErr);
        Assert.True(File.Exists(dir.Combine("prom", "rules.yml")) && File.Exists(dir.Combine("prom", "prometheus.yml")));

        await File.WriteAllTextAsync(config, $$"""
            {
              "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:9" } },
              "monitor": { "nodes": { "mon-1": { "listen": "127.0.0.1:{{port}}" } },
                           "alarms": { "slow-site": { "metric": "OriginLatencyP99", "threshold": 300, "comparison": "MoreThan" } } }
            }
            """);
        var bad = await ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, "monitor", "mon-1", "--config", config]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("$.monitor.alarms.slow-site.comparison: must be one of GreaterThanThreshold", bad.StdErr, StringComparison.Ordinal);
    }

    private static string UpTemplateConfig() => Tandem.Stack.Up.UpTemplate.Render("/srv/site", 0);

    /// <summary>A monitor scraping one edge ("edge-test") every 500 ms with the given alarms, its store in <paramref name="dir"/>.</summary>
    private static Task<MonitorHost> StartMonitorOnEdgeAsync(TempDir dir, Uri edgeAdminUrl, IReadOnlyList<AlarmDefinition> alarms) =>
        MonitorHost.StartAsync(new MonitorOptions
        {
            Name = "mon-test",
            Listen = new IPEndPoint(IPAddress.Loopback, 0),
            StorePath = dir.Combine("mon.db"),
            ScrapeInterval = TimeSpan.FromMilliseconds(500),
            Targets = [new ScrapeTarget("edge", "edge-test", new Uri(edgeAdminUrl, "/metrics"))],
            Alarms = [.. alarms],
        });
}

using Tandem.Core.Configuration;
using Tandem.Core.Metrics;
using Tandem.Monitor.Alarms;
using Tandem.Monitor.Scraping;
using Tandem.Monitor.Store;

namespace Tandem.Tests.Monitor;

public sealed class AlarmEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 10, 0, TimeSpan.Zero);

    private static AlarmDefinition Alarm(int n = 2, int? m = null, string treat = "missing", string comparison = "GreaterThanThreshold", double threshold = 5, string statistic = "Average", string metric = "5xxErrorRate") =>
        new("edge-5xx-rate", new AlarmConfig
        {
            Metric = metric,
            Statistic = statistic,
            PeriodSeconds = 300,
            EvaluationPeriods = n,
            DatapointsToAlarm = m,
            Threshold = threshold,
            Comparison = comparison,
            TreatMissingData = treat,
        });

    // Newest first, one per 5-minute period ending at Now.
    private static List<Datapoint> Points(params double?[] values) =>
        [.. values.Select((v, i) => new Datapoint(Now - TimeSpan.FromMinutes(5 * (i + 1)), v))];

    [Fact]
    public void NoData_WithMissing_IsInsufficientData()
    {
        var d = AlarmEvaluator.Evaluate(Alarm(), Points(null, null), AlarmStates.InsufficientData);
        Assert.Equal(AlarmStates.InsufficientData, d.State);
        Assert.False(d.Changed);
        Assert.Equal("Insufficient Data: 2 datapoints were unknown.", d.Reason);
    }

    [Fact]
    public void TwoOfTwoAboveThreshold_IsAlarm_WithCloudWatchsReason()
    {
        var d = AlarmEvaluator.Evaluate(Alarm(), Points(7.1, 6.3), AlarmStates.Ok);
        Assert.Equal(AlarmStates.Alarm, d.State);
        Assert.True(d.Changed);
        Assert.Equal("Threshold Crossed: 2 out of the last 2 datapoints [7.1 (26/11/26 09:05:00), 6.3 (26/11/26 09:00:00)] were greater than the threshold (5.0) (minimum 2 datapoints for OK -> ALARM transition).", d.Reason);
    }

    [Fact]
    public void MOutOfN_NeedNotBeConsecutive()
    {
        var alarm = Alarm(n: 3, m: 2);
        Assert.Equal(AlarmStates.Alarm, AlarmEvaluator.Evaluate(alarm, Points(6, 1, 7), AlarmStates.Ok).State);
        var ok = AlarmEvaluator.Evaluate(alarm, Points(6, 1, 1), AlarmStates.Alarm);
        Assert.Equal(AlarmStates.Ok, ok.State);
        Assert.StartsWith("Threshold Crossed: 2 out of the last 3 datapoints [6.0 (26/11/26 09:05:00), 1.0", ok.Reason);
        Assert.Contains("were not greater than the threshold (5.0)", ok.Reason);
    }

    [Theory]
    [InlineData("GreaterThanThreshold", 5, false)]
    [InlineData("GreaterThanOrEqualToThreshold", 5, true)]
    [InlineData("LessThanThreshold", 4.9, false)]
    [InlineData("LessThanOrEqualToThreshold", 5, true)]
    public void Comparisons_AtTheThreshold(string comparison, double threshold, bool breaches) =>
        Assert.Equal(breaches, AlarmEvaluator.Breaches(comparison, 5, threshold));

    [Theory]
    [InlineData("notBreaching", AlarmStates.Alarm, AlarmStates.Ok)]
    [InlineData("breaching", AlarmStates.Ok, AlarmStates.Alarm)]
    [InlineData("missing", AlarmStates.Ok, AlarmStates.InsufficientData)]
    [InlineData("ignore", AlarmStates.Alarm, AlarmStates.Alarm)]
    public void AllMissing_FollowsTheTreatment(string treat, string current, string expected)
    {
        var d = AlarmEvaluator.Evaluate(Alarm(treat: treat), Points(null, null), current);
        Assert.Equal(expected, d.State);
        Assert.Equal(expected != current, d.Changed);
    }

    [Fact]
    public void SomeMissing_CountsOnlyAsTheTreatmentSays()
    {
        // One breaching point, one missing, 2 of 2 needed.
        Assert.Equal(AlarmStates.Alarm, AlarmEvaluator.Evaluate(Alarm(treat: "breaching"), Points(9, null), AlarmStates.Ok).State);
        Assert.Equal(AlarmStates.Ok, AlarmEvaluator.Evaluate(Alarm(treat: "notBreaching"), Points(9, null), AlarmStates.Alarm).State);
        var missing = AlarmEvaluator.Evaluate(Alarm(treat: "missing"), Points(9, null), AlarmStates.Ok);
        Assert.Equal(AlarmStates.Ok, missing.State);
        Assert.Contains("0 out of the last 1 datapoints", missing.Reason);
    }

    [Fact]
    public void Datapoints_ApplyTheStatisticPerSlidingPeriod_AndSumOfARateIsACount()
    {
        var alarm = Alarm(n: 2, statistic: "Sum", metric: "Failovers");
        StoredPoint P(int secondsAgo, double rate) => new("origin=primary", Now - TimeSpan.FromSeconds(secondsAgo), rate, 10);
        var points = new[] { P(10, 0.5), P(20, 1.5), P(400, 2) };
        var d = AlarmEvaluator.Datapoints(alarm, points, Now);
        Assert.Equal([20.0, 20.0], d.Select(x => x.Value!.Value));
        Assert.Equal(Now - TimeSpan.FromMinutes(5), d[0].PeriodStart);

        Assert.Null(AlarmEvaluator.Statistic("Average", [], rate: false));
        Assert.Equal(3, AlarmEvaluator.Statistic("SampleCount", points, rate: true));
        Assert.Equal(0.5, AlarmEvaluator.Statistic("Minimum", points, rate: true));
        Assert.Equal(2, AlarmEvaluator.Statistic("Maximum", points, rate: true));
        Assert.Equal(4.0 / 3, AlarmEvaluator.Statistic("Average", points, rate: true)!.Value, 9);
    }

    [Fact]
    public void Engine_StartsInsufficient_ChangesOnlyOnce_AndResumesFromTheStore()
    {
        using var dir = new TempFolder();
        var alarm = new AlarmDefinition("origin-failovers", new AlarmConfig
        {
            Metric = "Failovers",
            Statistic = "Sum",
            PeriodSeconds = 60,
            Threshold = 0,
            TreatMissingData = "notBreaching",
        });
        using (var store = new SeriesStore(dir.File("m.db")))
        {
            var engine = new AlarmEngine([alarm], store, null, Now);
            Assert.Equal(AlarmStates.InsufficientData, engine.Statuses[0].State);
            Assert.Equal("Unchecked: Initial alarm creation", engine.Statuses[0].Reason);

            Assert.Equal([AlarmStates.Ok], engine.Evaluate(Now).Select(c => c.NewState));
            Assert.Empty(engine.Evaluate(Now + TimeSpan.FromSeconds(10)));

            // The alarm has no node: it watches the total only, not the edge's own series beside it.
            store.Add([new DerivedPoint("Failovers", null, "origin=primary", 0.5, 2), new DerivedPoint("Failovers", "edge-1", "origin=primary", 100, 2)], Now + TimeSpan.FromSeconds(15));
            var alarmed = Assert.Single(engine.Evaluate(Now + TimeSpan.FromSeconds(20)));
            Assert.Equal((AlarmStates.Ok, AlarmStates.Alarm), (alarmed.OldState, alarmed.NewState));
            Assert.Equal(1.0, alarmed.Values[0].Value);
            Assert.Empty(engine.Evaluate(Now + TimeSpan.FromSeconds(30)));
        }

        using (var reopened = new SeriesStore(dir.File("m.db")))
        {
            var engine = new AlarmEngine([alarm], reopened, null, Now + TimeSpan.FromHours(1));
            Assert.Equal(AlarmStates.Alarm, engine.Statuses[0].State);
            Assert.Equal(Now + TimeSpan.FromSeconds(20), engine.Statuses[0].Since);
            Assert.Equal([AlarmStates.Alarm, AlarmStates.Ok], reopened.History().Select(h => h.NewState));
            var back = Assert.Single(engine.Evaluate(Now + TimeSpan.FromMinutes(5)));
            Assert.Equal(AlarmStates.Ok, back.NewState);
        }
    }

    [Fact]
    public void DefaultCertificateAlarm_Alarms_WhenAnEdgesCertificateHas10DaysLeft_AndIsOkAt60Days()
    {
        using var dir = new TempFolder();
        using var store = new SeriesStore(dir.File("m.db"));
        var engine = new AlarmEngine([new AlarmDefinition("certificate-expiry", MonitorConfig.DefaultAlarms["certificate-expiry"])], store, null, Now);

        // One scrape round of two edges at a given time, stored as the scraper stores the total.
        void Round(DateTimeOffset at, double daysLeft1, double daysLeft2)
        {
            List<PrometheusSample> Edge(double days) => [.. PrometheusText.Parse($"tandem_edge_certificate_expiry_seconds{{name=\"www.example.com\"}} {days * 86400}")];
            store.Add(MetricDerivation.Gauges(null, [Edge(daysLeft1), Edge(daysLeft2)], 10), at);
        }

        // No edge serves HTTPS yet: no series, which is not breaching.
        Assert.Equal(AlarmStates.Ok, Assert.Single(engine.Evaluate(Now)).NewState);

        var clock = Now + TimeSpan.FromSeconds(10);
        Round(clock, 60, 10);
        var alarmed = Assert.Single(engine.Evaluate(clock));
        Assert.Equal((AlarmStates.Ok, AlarmStates.Alarm), (alarmed.OldState, alarmed.NewState));
        Assert.Equal(10, alarmed.Values[0].Value!.Value, 9);
        Assert.Contains("was less than the threshold (14.0)", alarmed.Reason, StringComparison.Ordinal);

        // Renewed: 60 days on both, but the 10 still counts until it is older than the 5-minute period.
        clock += TimeSpan.FromSeconds(10);
        Round(clock, 60, 60);
        Assert.Empty(engine.Evaluate(clock));
        clock += TimeSpan.FromMinutes(5);
        Round(clock, 60, 60);
        var cleared = Assert.Single(engine.Evaluate(clock));
        Assert.Equal((AlarmStates.Alarm, AlarmStates.Ok), (cleared.OldState, cleared.NewState));
        Assert.Equal(60, cleared.Values[0].Value!.Value, 9);
    }
}

/// <summary>A temporary folder removed afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("tandem-monitor-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path, recursive: true);
    }
}

using Tandem.Drill;

namespace Tandem.Tests.Drill;

public class DrillMeasureTests
{
    private const string Primary = "primary";

    private static DrillSample Uncached(double sent, string? origin, int? status = 200, double latency = 10, string? failure = null, bool errorPage = false) =>
        new("/about/", true, sent, latency, failure is null ? status : null, "Miss", origin, failure, errorPage, 200);

    private static DrillSample Cached(double sent, int? status = 200, int expected = 200, double latency = 2, string? failure = null) =>
        new("/css/site.css", false, sent, latency, failure is null ? status : null, "Hit", Primary, failure, false, expected);

    [Fact]
    public void Measure_FailoverAndRecovery_FromCompletionOfFirstUncachedResponse()
    {
        // Fault at 1000, restore at 5000.
        var samples = new[]
        {
            Uncached(500, Primary),
            Uncached(1100, Primary),                   // still the primary after t0
            Cached(1200),
            Uncached(1300, "standby", latency: 200),   // completes at 1500: failover 500 ms
            Uncached(1400, "standby", latency: 50),    // completes at 1450: earlier, so failover 450 ms
            Uncached(4900, "standby", latency: 300),   // sent before t1: not a recovery
            Uncached(5100, "standby"),
            Uncached(5600, Primary, latency: 40),      // recovery: 5640 - 5000
            Uncached(5700, Primary),
        };

        var m = DrillMeasure.Measure(samples, new DrillWindow(0, 1000, 5000, 6000), Primary, bothDown: false);

        Assert.Equal(9, m.Requests);
        Assert.Equal(0, m.Errors);
        Assert.Equal(450, m.FailoverMs);
        Assert.Equal(640, m.RecoveryMs);
        Assert.Equal(300, m.SlowestMs);
    }

    [Fact]
    public void Measure_NoStandbyResponse_NoFailover_AndNoPrimaryAfterRestore_NoRecovery()
    {
        var samples = new[] { Uncached(500, Primary), Uncached(1500, Primary), Uncached(5500, "standby") };

        var m = DrillMeasure.Measure(samples, new DrillWindow(0, 1000, 5000, 9000), Primary, bothDown: false);

        Assert.Null(m.FailoverMs);
        Assert.Null(m.RecoveryMs);
    }

    [Fact]
    public void Measure_OnlySamplesSentInTheWindow()
    {
        var samples = new[] { Uncached(-5, Primary, status: 503), Uncached(100, Primary), Uncached(2000, Primary, status: 503) };

        var m = DrillMeasure.Measure(samples, new DrillWindow(0, 50, 60, 2000), Primary, bothDown: false);

        Assert.Equal(1, m.Requests);
        Assert.Equal(0, m.Errors);
    }

    [Fact]
    public void Errors_TransportFailures5xxAndStatusOtherThanBaseline()
    {
        var samples = new[]
        {
            Cached(100, failure: "Connection refused"),
            Uncached(200, "standby", status: 502),
            Cached(300, status: 404),                      // baseline 200
            new DrillSample("/gone", false, 400, 1, 404, "Hit", Primary, null, true, 404), // baseline 404: fine
            new DrillSample("/old", false, 500, 1, 301, "Hit", Primary, null, false, 301), // redirect as before: fine
            Uncached(600, "standby"),
        };

        var m = DrillMeasure.Measure(samples, new DrillWindow(0, 50, 700, 800), Primary, bothDown: false);

        Assert.Equal(3, m.Errors);
        Assert.Contains(m.ErrorSummary, e => e.Contains("no response (Connection refused)", StringComparison.Ordinal));
        Assert.Contains(m.ErrorSummary, e => e.Contains("502 instead of 200", StringComparison.Ordinal));
        Assert.Contains(m.ErrorSummary, e => e.Contains("404 instead of 200", StringComparison.Ordinal));
    }

    [Fact]
    public void ErrorSummary_GroupsAndCounts_AtMostThree()
    {
        var samples = Enumerable.Range(0, 5).Select(i => Cached(i, status: 503))
            .Concat([Cached(10, failure: "a"), Cached(11, failure: "b"), Cached(12, failure: "c")]);

        var m = DrillMeasure.Measure(samples, new DrillWindow(0, null, null, 100), Primary, bothDown: false);

        Assert.Equal(8, m.Errors);
        Assert.Equal(3, m.ErrorSummary.Count);
        Assert.Equal("5 × /css/site.css: 503 instead of 200", m.ErrorSummary[0]);
    }

    [Fact]
    public void BothDown_UncachedErrorPageIsNoError_CachedMustKeepStatus()
    {
        var samples = new[]
        {
            Uncached(100, Primary),                                   // before the outage: normal page
            Uncached(1100, Primary, status: 502, errorPage: true),    // the site's error page: expected
            Uncached(1200, null, status: 502),                        // a bare 502: error
            Uncached(1300, null, failure: "timeout"),                 // no answer: error
            Cached(1400),                                             // cache keeps serving
            Cached(1500, status: 504),                                // error
            Uncached(5100, Primary),
        };

        var m = DrillMeasure.Measure(samples, new DrillWindow(0, 1000, 5000, 6000), Primary, bothDown: true);

        Assert.Equal(3, m.Errors);
        Assert.Null(m.FailoverMs);
        Assert.Equal(110, m.RecoveryMs);
    }

    [Fact]
    public void OutageCounts_ErrorPagesForUncachedAndCacheAnswersForCached_OnlyBetweenInjectAndRestore()
    {
        var samples = new[]
        {
            Uncached(500, Primary, status: 502, errorPage: true),    // before the fault: not counted
            Cached(600),                                              // before the fault: not counted
            Uncached(1100, null, status: 502, errorPage: true),       // counted
            Uncached(1200, null, status: 504, errorPage: true),       // counted
            Uncached(1300, null, status: 502),                        // a bare 502: not the error page
            Cached(1400),                                             // Hit: counted
            Cached(1500) with { Cache = "Stale" },                    // kept past its age: counted
            Cached(1600) with { Cache = "Miss" },                     // asked an origin: not counted
            Cached(1700, status: 504) with { Cache = "Error" },        // not counted
            Cached(1800, status: 503),                                // a Hit with the wrong status: not counted
            new DrillSample("/404.html", false, 1900, 1, 200, "Hit", Primary, null, true, 200), // the error page asked for: a cache answer, not an error page for an uncached request
            Uncached(5100, Primary, status: 502, errorPage: true),    // after the restore: not counted
            Cached(5200),                                             // after the restore: not counted
        };

        var m = DrillMeasure.Measure(samples, new DrillWindow(0, 1000, 5000, 6000), Primary, bothDown: true);

        Assert.Equal(2, m.OutageErrorPages);
        Assert.Equal(3, m.OutageCacheHits);
    }

    [Fact]
    public void OutageCounts_NothingInjected_Zero()
    {
        var m = DrillMeasure.Measure([Uncached(100, Primary, status: 502, errorPage: true), Cached(200)], new DrillWindow(0, null, null, 1000), Primary, bothDown: true);

        Assert.Equal(0, m.OutageErrorPages);
        Assert.Equal(0, m.OutageCacheHits);
    }

    [Fact]
    public void Normal_ErrorPageWith404ForAPageThatExisted_IsAnError()
    {
        Assert.NotNull(DrillMeasure.ErrorOf(Uncached(0, "standby", status: 404, errorPage: true), bothDown: false));
        Assert.Null(DrillMeasure.ErrorOf(Uncached(0, "standby", status: 200), bothDown: false));
    }

    [Fact]
    public void Failover_IgnoresStandbyErrorsAndCachedResponses()
    {
        var samples = new[]
        {
            Cached(1100) with { Origin = "standby" },
            Uncached(1200, "standby", status: 503),
            Uncached(1300, "standby"),
        };

        Assert.Equal(310, DrillMeasure.FailoverMs(samples, 1000, null, Primary));
    }

    [Fact]
    public void FailoverAndRecovery_IgnoreUncachedRequestsAnsweredFromTheCache()
    {
        // An "uncached" request the edge had cached after all names the origin that stored it, not the one serving now.
        var samples = new[]
        {
            Uncached(1100, "standby") with { Cache = "Hit" },
            Uncached(1200, "standby") with { Cache = "Stale" },
            Uncached(1300, "standby"),
            Uncached(5100, Primary) with { Cache = "Hit" },
            Uncached(5200, Primary),
        };

        var m = DrillMeasure.Measure(samples, new DrillWindow(0, 1000, 5000, 6000), Primary, bothDown: false);

        Assert.Equal(310, m.FailoverMs);
        Assert.Equal(210, m.RecoveryMs);
    }
}

using Tandem.Core.Stack;
using Tandem.Drill;

namespace Tandem.Tests.Drill;

/// <summary>The table `tandem drill` prints: columns, a row per scenario, the notes, the verdict.</summary>
public class DrillTableTests
{
    private static readonly DateTimeOffset T0 = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static DrillReport Report(bool passed, params DrillScenarioResult[] scenarios) =>
        new() { Started = T0, Finished = T0.AddMinutes(1), Target = "http://127.0.0.1:8080", Passed = passed, Scenarios = [.. scenarios] };

    [Fact]
    public void Table_OnePassedScenario_HeaderRowAndDrillPassed()
    {
        var text = DrillRunner.Table(Report(true,
            new DrillScenarioResult { Scenario = "5xx", Passed = true, Requests = 812, Errors = 0, FailoverMs = 412.3, RecoveryMs = 1990, SlowestMs = 1530 }));

        Assert.Equal(
            """
            scenario  requests  errors  failover  recovery  slowest  result
            5xx            812       0    0.41 s    1.99 s   1.53 s  passed
            drill passed

            """.ReplaceLineEndings(), text);
    }

    [Fact]
    public void Table_AFailedScenario_ColumnsWidenAndNotesFollowTheRowsAndDrillFailed()
    {
        var text = DrillRunner.Table(Report(false,
            new DrillScenarioResult { Scenario = "kill", Passed = true, Requests = 640, FailoverMs = 95, RecoveryMs = 2500, SlowestMs = 120 },
            new DrillScenarioResult
            {
                Scenario = "both-down",
                Passed = false,
                Requests = 1200,
                Errors = 3,
                RecoveryMs = 2504,
                SlowestMs = 41,
                Notes = ["3 × uncached /about/: 503 without the site's error page", "during the outage: 90 cached request(s) answered from the edge's cache, 87 uncached request(s) got the site's error page"],
            }));

        Assert.Equal(
            """
            scenario   requests  errors  failover  recovery  slowest  result
            kill            640       0    0.10 s    2.50 s   0.12 s  passed
            both-down      1200       3         -    2.50 s   0.04 s  FAILED
            both-down: 3 × uncached /about/: 503 without the site's error page
            both-down: during the outage: 90 cached request(s) answered from the edge's cache, 87 uncached request(s) got the site's error page
            drill FAILED

            """.ReplaceLineEndings(), text);
    }
}

using System.Globalization;
using Tandem.Core.Configuration;
using Tandem.Monitor.Scraping;
using Tandem.Monitor.Store;

namespace Tandem.Monitor.Alarms;

/// <summary>The three states of a CloudWatch alarm.</summary>
public static class AlarmStates
{
    public const string Ok = "OK";
    public const string Alarm = "ALARM";
    public const string InsufficientData = "INSUFFICIENT_DATA";
}

/// <summary>A validated alarm, as the evaluator uses it.</summary>
public sealed record AlarmDefinition(string Name, AlarmConfig Config)
{
    public TimeSpan Period => TimeSpan.FromSeconds(Config.PeriodSeconds);

    public int N => Config.EvaluationPeriods;

    /// <summary>M: DatapointsToAlarm, defaulting to EvaluationPeriods as in CloudWatch.</summary>
    public int M => Config.DatapointsToAlarm ?? Config.EvaluationPeriods;
}

/// <summary>One period's statistic; null when the period had no points (missing data).</summary>
public readonly record struct Datapoint(DateTimeOffset PeriodStart, double? Value);

/// <summary>What an evaluation decided. Changed is false when the state stays (actions run only on a change).</summary>
public sealed record AlarmDecision(string State, string Reason, bool Changed);

/// <summary>
/// CloudWatch's alarm evaluation as plain code: statistics per period, M out of N datapoints,
/// the four treatments of missing data, and reasons worded as CloudWatch words them. The
/// periods are a sliding window ending at the evaluation time: period i covers
/// (now - (i+1) x period, now - i x period].
/// </summary>
public static class AlarmEvaluator
{
    /// <summary>The last N datapoints, newest first, from the points of the alarm's metric.</summary>
    public static IReadOnlyList<Datapoint> Datapoints(AlarmDefinition alarm, IReadOnlyList<StoredPoint> points, DateTimeOffset now)
    {
        var rate = MetricDerivation.IsRate(alarm.Config.Metric);
        var list = new List<Datapoint>(alarm.N);
        for (var i = 0; i < alarm.N; i++)
        {
            var end = now - (alarm.Period * i);
            var start = end - alarm.Period;
            var inPeriod = points.Where(p => p.At > start && p.At <= end).ToList();
            list.Add(new Datapoint(start, Statistic(alarm.Config.Statistic, inPeriod, rate)));
        }

        return list;
    }

    /// <summary>
    /// A statistic over a period's points, or null when there are none. Sum of a per-second metric
    /// is the count in the period (each point's rate times the seconds it covers).
    /// </summary>
    public static double? Statistic(string statistic, IReadOnlyList<StoredPoint> points, bool rate)
    {
        if (points.Count == 0)
        {
            return null;
        }

        return statistic switch
        {
            "Sum" => rate ? points.Sum(p => p.Value * p.Span) : points.Sum(p => p.Value),
            "Maximum" => points.Max(p => p.Value),
            "Minimum" => points.Min(p => p.Value),
            "SampleCount" => points.Count,
            _ => points.Average(p => p.Value),
        };
    }

    /// <summary>Decides the state from the newest-first <paramref name="datapoints"/> and the current state.</summary>
    public static AlarmDecision Evaluate(AlarmDefinition alarm, IReadOnlyList<Datapoint> datapoints, string current)
    {
        var c = alarm.Config;
        var treat = c.TreatMissingData;
        if (datapoints.All(d => d.Value is null))
        {
            switch (treat)
            {
                case "ignore":
                    return new AlarmDecision(current, "", false);
                case "missing":
                    return Decide(AlarmStates.InsufficientData, $"Insufficient Data: {datapoints.Count} {Plural(datapoints.Count, "datapoint was", "datapoints were")} unknown.", current);
            }
        }

        // Missing points count as bad (breaching), good (notBreaching), or not at all.
        var considered = datapoints
            .Where(d => d.Value is not null || treat is "breaching" or "notBreaching")
            .Select(d => (Point: d, Breaching: d.Value is { } v ? Breaches(c.Comparison, v, c.Threshold) : treat == "breaching"))
            .ToList();
        var breaching = considered.Count(x => x.Breaching);
        var shown = "[" + string.Join(", ", considered.Select(x => $"{(x.Point.Value is { } v ? Number(v) : "missing")} ({x.Point.PeriodStart.UtcDateTime.ToString("dd/MM/yy HH:mm:ss", CultureInfo.InvariantCulture)})")) + "]";
        var words = ComparisonWords(c.Comparison);
        if (breaching >= alarm.M)
        {
            return Decide(AlarmStates.Alarm,
                $"Threshold Crossed: {breaching} out of the last {considered.Count} datapoints {shown} {Plural(breaching, "was", "were")} {words} the threshold ({Number(c.Threshold)}) (minimum {alarm.M} {Plural(alarm.M, "datapoint", "datapoints")} for {current} -> ALARM transition).",
                current);
        }

        var good = considered.Count - breaching;
        return Decide(AlarmStates.Ok,
            $"Threshold Crossed: {good} out of the last {considered.Count} datapoints {shown} {Plural(good, "was", "were")} not {words} the threshold ({Number(c.Threshold)}) (minimum {alarm.M} {Plural(alarm.M, "datapoint", "datapoints")} for ALARM).",
            current);
    }

    public static bool Breaches(string comparison, double value, double threshold) => comparison switch
    {
        "GreaterThanOrEqualToThreshold" => value >= threshold,
        "LessThanThreshold" => value < threshold,
        "LessThanOrEqualToThreshold" => value <= threshold,
        _ => value > threshold,
    };

    /// <summary>CloudWatch's way of writing a value: at least one decimal.</summary>
    public static string Number(double v) =>
        v == Math.Floor(v) && Math.Abs(v) < 1e15 ? v.ToString("0.0", CultureInfo.InvariantCulture) : Math.Round(v, 6).ToString("0.0#####", CultureInfo.InvariantCulture);

    private static AlarmDecision Decide(string state, string reason, string current) => new(state, reason, state != current);

    private static string ComparisonWords(string comparison) => comparison switch
    {
        "GreaterThanOrEqualToThreshold" => "greater than or equal to",
        "LessThanThreshold" => "less than",
        "LessThanOrEqualToThreshold" => "less than or equal to",
        _ => "greater than",
    };

    private static string Plural(int n, string one, string many) => n == 1 ? one : many;
}

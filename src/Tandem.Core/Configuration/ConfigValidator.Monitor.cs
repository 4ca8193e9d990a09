namespace Tandem.Core.Configuration;

public static partial class ConfigValidator
{
    private static readonly string[] Statistics = ["Average", "Sum", "Maximum", "Minimum", "SampleCount"];
    private static readonly string[] Comparisons = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"];
    private static readonly string[] MissingDataTreatments = ["missing", "notBreaching", "breaching", "ignore"];

    private static void ValidateMonitor(TandemConfig config, Dictionary<string, string> listeners, List<ConfigError> errors)
    {
        var monitor = config.Monitor;
        foreach (var (name, node) in monitor.Nodes)
        {
            var at = $"$.monitor.nodes.{name}";
            if (!NamePattern().IsMatch(name))
            {
                errors.Add(new ConfigError(at, $"monitor name '{name}' must be 1-63 lower-case letters, digits or '-', starting with a letter"));
            }

            if (node is null)
            {
                errors.Add(new ConfigError(at, "is null; give at least { \"listen\": \"127.0.0.1:9090\" }"));
                continue;
            }

            CheckListen(node.Listen, $"{at}.listen", listeners, errors);
            if (node.StorePath is { } store && string.IsNullOrWhiteSpace(store))
            {
                errors.Add(new ConfigError($"{at}.storePath", "is empty; name a file such as \".tandem/monitor/mon-1.db\", or leave it out"));
            }
        }

        if (monitor.ScrapeIntervalMs is < 100 or > 3_600_000)
        {
            errors.Add(new ConfigError("$.monitor.scrapeIntervalMs", "must be 100 to 3600000 milliseconds (default 10000)"));
        }

        if (monitor.RetentionHours is < 1 or > 24 * 400)
        {
            errors.Add(new ConfigError("$.monitor.retentionHours", "must be 1 to 9600 hours (default 25)"));
        }

        foreach (var (name, alarm) in monitor.Alarms)
        {
            ValidateAlarm(config, name, alarm, errors);
        }
    }

    private static void ValidateAlarm(TandemConfig config, string name, AlarmConfig? alarm, List<ConfigError> errors)
    {
        var at = $"$.monitor.alarms.{name}";
        if (!NamePattern().IsMatch(name))
        {
            errors.Add(new ConfigError(at, $"alarm name '{name}' must be 1-63 lower-case letters, digits or '-', starting with a letter"));
        }

        if (alarm is null)
        {
            errors.Add(new ConfigError(at, "is null; give at least metric, threshold and comparison"));
            return;
        }

        if (!MonitorConfig.MetricNames.Contains(alarm.Metric, StringComparer.Ordinal))
        {
            errors.Add(new ConfigError($"{at}.metric", $"'{alarm.Metric}' is not a metric; must be one of {string.Join(", ", MonitorConfig.MetricNames)}"));
        }

        OneOf(alarm.Statistic, Statistics, $"{at}.statistic", errors);
        OneOf(alarm.Comparison, Comparisons, $"{at}.comparison", errors);
        OneOf(alarm.TreatMissingData, MissingDataTreatments, $"{at}.treatMissingData", errors);

        if (alarm.Node is { } node && !config.Edges.ContainsKey(node) && !config.Dns.Nodes.ContainsKey(node))
        {
            errors.Add(new ConfigError($"{at}.node", $"there is no edge or DNS node named '{node}' (edges: {string.Join(", ", config.Edges.Keys)}); leave it out for the total over every node"));
        }

        // CloudWatch's rules: 10, 20, 30 or a multiple of 60 seconds; period x N at most a day
        // below an hour's period, at most 7 days otherwise.
        var period = alarm.PeriodSeconds;
        if (period is not (10 or 20 or 30) && (period <= 0 || period % 60 != 0))
        {
            errors.Add(new ConfigError($"{at}.periodSeconds", $"{period} is not a valid period; must be 10, 20, 30 or a multiple of 60 seconds"));
        }

        if (alarm.EvaluationPeriods < 1)
        {
            errors.Add(new ConfigError($"{at}.evaluationPeriods", "must be 1 or more"));
        }
        else if (period > 0 && (long)period * alarm.EvaluationPeriods > (period < 3600 ? 86_400 : 604_800))
        {
            errors.Add(new ConfigError($"{at}.evaluationPeriods", $"periodSeconds x evaluationPeriods ({(long)period * alarm.EvaluationPeriods} s) must be at most {(period < 3600 ? "86400 (a day) for periods under an hour" : "604800 (7 days)")}"));
        }

        if (alarm.DatapointsToAlarm is { } m && (m < 1 || m > alarm.EvaluationPeriods))
        {
            errors.Add(new ConfigError($"{at}.datapointsToAlarm", $"must be 1 to evaluationPeriods ({alarm.EvaluationPeriods}); it is M in \"M out of N\""));
        }

        if (double.IsNaN(alarm.Threshold) || double.IsInfinity(alarm.Threshold))
        {
            errors.Add(new ConfigError($"{at}.threshold", "must be a finite number"));
        }

        for (var i = 0; i < alarm.Actions.Count; i++)
        {
            var a = alarm.Actions[i];
            var aat = $"{at}.actions[{i}]";
            if (a is null)
            {
                errors.Add(new ConfigError(aat, "is null; give { \"webhook\": URL }, { \"log\": true } or { \"command\": \"...\" }"));
                continue;
            }

            var kinds = (a.Webhook is null ? 0 : 1) + (a.Log is null ? 0 : 1) + (a.Command is null ? 0 : 1);
            if (kinds != 1)
            {
                errors.Add(new ConfigError(aat, "give exactly one of \"webhook\": URL, \"log\": true or \"command\": \"...\""));
            }

            if (a.Webhook is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                errors.Add(new ConfigError($"{aat}.webhook", $"'{url}' is not an http(s) URL such as \"https://hooks.example.com/tandem\""));
            }

            if (a.Command is { } command && string.IsNullOrWhiteSpace(command))
            {
                errors.Add(new ConfigError($"{aat}.command", "is empty; give a shell command line"));
            }

            if (a.Log is false)
            {
                errors.Add(new ConfigError($"{aat}.log", "\"log\": false does nothing; remove the action, or set true"));
            }

            if (a.TimeoutMs is < 100 or > 600_000)
            {
                errors.Add(new ConfigError($"{aat}.timeoutMs", "must be 100 to 600000 milliseconds (default 10000)"));
            }
        }
    }

    private static void OneOf(string value, string[] allowed, string path, List<ConfigError> errors)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
        {
            errors.Add(new ConfigError(path, $"must be one of {string.Join(", ", allowed)} (found '{value}')"));
        }
    }
}

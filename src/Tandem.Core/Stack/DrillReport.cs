using System.Text.Json;

namespace Tandem.Core.Stack;

/// <summary>
/// What <c>tandem drill</c> writes to <c>STATE/drills/TIMESTAMP.json</c> and <c>tandem status</c>
/// shows as the last drill's result.
/// </summary>
public sealed record DrillReport
{
    public const string FolderName = "drills";

    public required DateTimeOffset Started { get; init; }

    public required DateTimeOffset Finished { get; init; }

    /// <summary>The edge URL the load went to.</summary>
    public required string Target { get; init; }

    /// <summary>True when no scenario saw a visitor-visible error or a failed recovery.</summary>
    public required bool Passed { get; init; }

    public List<DrillScenarioResult> Scenarios { get; init; } = [];

    /// <summary>The newest report in <paramref name="stateDir"/>, or null.</summary>
    public static DrillReport? Latest(string stateDir)
    {
        var folder = Path.Combine(stateDir, FolderName);
        if (!Directory.Exists(folder))
        {
            return null;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.json").OrderDescending(StringComparer.Ordinal))
        {
            try
            {
                return JsonSerializer.Deserialize<DrillReport>(File.ReadAllBytes(file), StackFile.Json);
            }
            catch (Exception ex) when (ex is IOException or JsonException)
            {
            }
        }

        return null;
    }

    /// <summary>Writes the report as <c>drills/yyyyMMddTHHmmssZ.json</c>; returns its path.</summary>
    public string Write(string stateDir)
    {
        var folder = Directory.CreateDirectory(Path.Combine(stateDir, FolderName)).FullName;
        var path = Path.Combine(folder, Started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture) + ".json");
        File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, StackFile.Json));
        return path;
    }
}

/// <summary>One scenario of a drill and what visitors saw during it.</summary>
public sealed record DrillScenarioResult
{
    /// <summary>website-deleted, kill, freeze, 5xx, slow or both-down.</summary>
    public required string Scenario { get; init; }

    public required bool Passed { get; init; }

    /// <summary>Responses (and failed requests) recorded during the scenario.</summary>
    public long Requests { get; init; }

    /// <summary>Visitor-visible errors: failed requests, 5xx, and statuses other than the path's normal one.</summary>
    public long Errors { get; init; }

    /// <summary>Milliseconds from the injection until uncached requests were served by the standby; null if never.</summary>
    public double? FailoverMs { get; init; }

    /// <summary>Milliseconds from the restore until uncached requests were served by the primary again; null if never.</summary>
    public double? RecoveryMs { get; init; }

    /// <summary>Slowest response in milliseconds.</summary>
    public double SlowestMs { get; init; }

    /// <summary>Uncached requests sent during the outage that got the site's own error page (what both-down should give them).</summary>
    public long OutageErrorPages { get; init; }

    /// <summary>Requests for cached paths sent during the outage that the edge answered from its cache with their normal status.</summary>
    public long OutageCacheHits { get; init; }

    /// <summary>Why it failed, or notes (such as the DNS answer moving), one line each.</summary>
    public List<string> Notes { get; init; } = [];
}

namespace Tandem.Drill;

/// <summary>The outages a drill can inject, by the names the command line and the report use.</summary>
public static class DrillScenarios
{
    public const string WebsiteDeleted = "website-deleted";
    public const string Kill = "kill";
    public const string Freeze = "freeze";
    public const string ServerError = "5xx";
    public const string Slow = "slow";
    public const string BothDown = "both-down";

    /// <summary>Every scenario, in the order a drill without names runs them.</summary>
    public static readonly IReadOnlyList<string> All = [WebsiteDeleted, Kill, Freeze, ServerError, Slow, BothDown];

    /// <summary>What each scenario injects, one line each, for <c>tandem drill --help</c>; in <see cref="All"/>'s order.</summary>
    public static readonly IReadOnlyList<(string Name, string Injects)> Descriptions =
    [
        (WebsiteDeleted, "the primary bucket's website configuration deleted (the reference's test), then put back"),
        (Kill, "the primary's process killed (SIGKILL) and held down, then started again by `tandem up`"),
        (Freeze, "the primary's process stopped (SIGSTOP): connections accepted, nothing answered"),
        (ServerError, "the primary's website endpoint answers 503 (DATADIR/fault.json)"),
        (Slow, "the primary's website endpoint answers 1.5 s past the edge's response timeout"),
        (BothDown, "both origins killed: cached pages from the cache, other paths the site's error page"),
    ];

    /// <summary>Scenarios that stop origin processes, which only the supervisor of <c>tandem up</c> starts again.</summary>
    public static bool NeedsSupervisor(string scenario) => scenario is Kill or BothDown;

    /// <summary>
    /// The scenarios to run: the names given, in the order given and each once, or all of them
    /// when none is given. An unknown name gives null and a message listing the valid ones.
    /// </summary>
    public static IReadOnlyList<string>? Parse(IEnumerable<string>? names, out string? problem)
    {
        problem = null;
        var given = (names ?? []).Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()).ToList();
        if (given.Count == 0)
        {
            return All;
        }

        var unknown = given.Where(n => !All.Contains(n, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            problem = $"unknown scenario{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))}; valid: {string.Join(", ", All)}";
            return null;
        }

        return given.Distinct(StringComparer.Ordinal).ToList();
    }
}

namespace Tandem.Edge.Origins;

/// <summary>Which origins of a group one request tries, and in what order. Pure.</summary>
public static class FailoverPlanner
{
    /// <summary>
    /// GET, HEAD and OPTIONS: the methods CloudFront fails over, and the ones a static site can
    /// safely send twice.
    /// </summary>
    public static bool IsRetryable(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options;

    /// <summary>
    /// The indexes of the origins to try, in order. Retryable: the healthy origins in group
    /// order, or every origin in group order when none is healthy (trying a sick origin beats
    /// answering with an error unasked). Not retryable: only the first of that list.
    /// </summary>
    /// <param name="healthy">Each origin's health, in group order.</param>
    /// <param name="retryable">Whether the request may be sent to more than one origin.</param>
    public static int[] Plan(ReadOnlySpan<bool> healthy, bool retryable)
    {
        var count = 0;
        foreach (var h in healthy)
        {
            count += h ? 1 : 0;
        }

        var all = count == 0;
        var plan = new int[retryable ? (all ? healthy.Length : count) : Math.Min(1, healthy.Length)];
        var next = 0;
        for (var i = 0; i < healthy.Length && next < plan.Length; i++)
        {
            if (all || healthy[i])
            {
                plan[next++] = i;
            }
        }

        return plan;
    }
}

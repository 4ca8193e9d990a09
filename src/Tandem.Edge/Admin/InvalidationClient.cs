using Tandem.Core.Configuration;

namespace Tandem.Edge.Admin;

/// <summary>
/// Sends invalidation paths to every edge of a config at once and returns when all of them
/// have applied them (each edge answers only after its cache dropped the paths).
/// </summary>
public static class InvalidationClient
{
    /// <summary>One edge's answer.</summary>
    public sealed record EdgeResult(string Edge, bool Ok, int Removed, TimeSpan Elapsed, string? Error);

    /// <summary>The admin base URL of an edge: AdminUrl, else http://AdminListen (any-address becomes loopback).</summary>
    public static Uri AdminBaseUrl(EdgeConfig edge)
    {
        if (edge.AdminUrl is { } url)
        {
            return new Uri(url.TrimEnd('/') + "/");
        }

        // Validation has already checked the address.
        return new Uri(ListenAddress.ReachableUrl(edge.AdminListen) + "/");
    }

    public static async Task<IReadOnlyList<EdgeResult>> InvalidateAsync(LoadedConfig loaded, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var results = await EdgeAdminCalls.ToAllAsync<InvalidationResponse>(loaded, HttpMethod.Post, "invalidations", new InvalidationRequest(paths), cancellationToken);
        return results.Select(r => new EdgeResult(r.Edge, r.Ok, r.Value?.Removed ?? 0, r.Elapsed, r.Error)).ToList();
    }
}

/// <summary>Body of POST /invalidations.</summary>
public sealed record InvalidationRequest(IReadOnlyList<string> Paths);

/// <summary>Answer of POST /invalidations: how many cached entries were dropped.</summary>
public sealed record InvalidationResponse(IReadOnlyList<string> Paths, int Removed);

using Tandem.Core.Configuration;
using Tandem.Core.Releases;

namespace Tandem.Edge.Admin;

/// <summary>
/// Moves every edge of a config to a release in two steps: prepare (each edge fetches and checks
/// the manifest; nothing visible changes) and activate (a pointer swap on each edge), so all
/// edges switch within milliseconds of each other. The API is described in Tandem.Core/Releases/ReleaseAdminContract.cs.
/// </summary>
public static class ReleaseClient
{
    public static Task<IReadOnlyList<EdgeCallResult<EdgeReleaseStatus>>> StatusAsync(LoadedConfig loaded, CancellationToken cancellationToken) =>
        EdgeAdminCalls.ToAllAsync<EdgeReleaseStatus>(loaded, HttpMethod.Get, "release", null, cancellationToken);

    public static Task<IReadOnlyList<EdgeCallResult<EdgeReleaseStatus>>> PrepareAsync(LoadedConfig loaded, string id, CancellationToken cancellationToken) =>
        EdgeAdminCalls.ToAllAsync<EdgeReleaseStatus>(loaded, HttpMethod.Post, "release/prepare", new PrepareReleaseRequest(id), cancellationToken);

    public static Task<IReadOnlyList<EdgeCallResult<ActivateReleaseResponse>>> ActivateAsync(LoadedConfig loaded, string id, IReadOnlyList<string> invalidate, CancellationToken cancellationToken) =>
        EdgeAdminCalls.ToAllAsync<ActivateReleaseResponse>(loaded, HttpMethod.Post, "release/activate", new ActivateReleaseRequest(id, invalidate), cancellationToken);
}

using Tandem.Core.Configuration;
using Tandem.Deploy.Edges;
using Tandem.Edge.Admin;

namespace Tandem.Cli;

/// <summary>The deploy's view of the edges, over each edge's release admin API.</summary>
internal sealed class ReleaseEdgeFleet(LoadedConfig loaded) : IEdgeFleet
{
    public int Count => loaded.Config.Edges.Count;

    public async Task<IReadOnlyList<EdgeResult>> StatusAsync(CancellationToken cancellationToken) =>
        (await ReleaseClient.StatusAsync(loaded, cancellationToken)).Select(r => new EdgeResult(r.Edge, r.Ok, r.Value?.Live, r.Error)).ToList();

    public async Task<IReadOnlyList<EdgeResult>> PrepareAsync(string id, CancellationToken cancellationToken) =>
        (await ReleaseClient.PrepareAsync(loaded, id, cancellationToken)).Select(r => new EdgeResult(r.Edge, r.Ok, r.Value?.Live, r.Error)).ToList();

    public async Task<IReadOnlyList<EdgeResult>> ActivateAsync(string id, IReadOnlyList<string> invalidate, CancellationToken cancellationToken) =>
        (await ReleaseClient.ActivateAsync(loaded, id, invalidate, cancellationToken)).Select(r => new EdgeResult(r.Edge, r.Ok, r.Value?.Id, r.Error)).ToList();
}

namespace Tandem.Deploy.Edges;

/// <summary>One edge's answer to a release call.</summary>
public sealed record EdgeResult(string Edge, bool Ok, string? Live, string? Error);

/// <summary>
/// The edges of a config, as the deploy needs them: switch all to a release in two steps so they
/// change within milliseconds of each other. The CLI implements it over the edges' admin API, so
/// this library does not depend on the edge.
/// </summary>
public interface IEdgeFleet
{
    int Count { get; }

    Task<IReadOnlyList<EdgeResult>> StatusAsync(CancellationToken cancellationToken);

    /// <summary>Each edge fetches and checks the release's manifest; nothing visible changes.</summary>
    Task<IReadOnlyList<EdgeResult>> PrepareAsync(string id, CancellationToken cancellationToken);

    /// <summary>Each edge switches to the release and drops <paramref name="invalidate"/> from its cache.</summary>
    Task<IReadOnlyList<EdgeResult>> ActivateAsync(string id, IReadOnlyList<string> invalidate, CancellationToken cancellationToken);
}

/// <summary>A config without edges: the origins' website endpoints are all there is to switch.</summary>
public sealed class NoEdges : IEdgeFleet
{
    public static readonly NoEdges Instance = new();

    public int Count => 0;

    public Task<IReadOnlyList<EdgeResult>> StatusAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<EdgeResult>>([]);

    public Task<IReadOnlyList<EdgeResult>> PrepareAsync(string id, CancellationToken cancellationToken) => StatusAsync(cancellationToken);

    public Task<IReadOnlyList<EdgeResult>> ActivateAsync(string id, IReadOnlyList<string> invalidate, CancellationToken cancellationToken) => StatusAsync(cancellationToken);
}

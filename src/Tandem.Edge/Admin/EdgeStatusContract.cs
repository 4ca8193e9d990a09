using Tandem.Core.Releases;
using Tandem.Edge.Origins;

namespace Tandem.Edge.Admin;

// GET /status on the edge admin listener (needs the admin token) answers EdgeAdminStatus. The
// records are the wire shape, shared by the edge that writes it and `tandem status` that reads it.

/// <summary>What GET /status returns: the edge's live release, its cache, and each origin's health in group order.</summary>
public sealed record EdgeAdminStatus(string Edge, EdgeReleaseStatus Release, EdgeCacheStatus Cache, IReadOnlyList<EdgeOriginStatus> Origins);

/// <summary>Cache size and lookups since the edge started.</summary>
public sealed record EdgeCacheStatus(long Entries, long Bytes, long MaxBytes, long Hits, long Misses);

/// <summary>One origin as this edge sees it.</summary>
public sealed record EdgeOriginStatus(string Name, string? Region, string Url, bool Healthy, OriginHealthSnapshot Detail);

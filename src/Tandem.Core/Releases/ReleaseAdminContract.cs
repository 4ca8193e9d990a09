namespace Tandem.Core.Releases;

// The edge admin API for releases (all need the admin token):
//   GET  /release           -> EdgeReleaseStatus
//   POST /release/prepare   PrepareReleaseRequest  -> EdgeReleaseStatus (the edge has fetched and
//                           checked the manifest from its origins; nothing visible changed yet)
//   POST /release/activate  ActivateReleaseRequest -> ActivateReleaseResponse (the release is
//                           live on this edge and persisted; invalidation paths were dropped)
// A release must be prepared (or already known to the edge) before it can be activated, so the
// activate step everywhere is only a pointer swap and all edges switch within milliseconds.

/// <summary>Body of POST /release/prepare.</summary>
public sealed record PrepareReleaseRequest(string Id);

/// <summary>Body of POST /release/activate.</summary>
public sealed record ActivateReleaseRequest(string Id, IReadOnlyList<string>? Invalidate);

/// <summary>Answer of POST /release/activate.</summary>
public sealed record ActivateReleaseResponse(string Id, string? Previous, int Removed);

/// <summary>Answer of GET /release and POST /release/prepare.</summary>
public sealed record EdgeReleaseStatus(string Edge, string? Live, DateTimeOffset? Activated, IReadOnlyList<string> Known);

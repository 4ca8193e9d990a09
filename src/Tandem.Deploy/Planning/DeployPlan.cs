using Tandem.Core.Releases;

namespace Tandem.Deploy.Planning;

/// <summary>A release folder found on an origin: whole when its manifest is there.</summary>
public sealed record ReleaseOnOrigin(string Id, DateTimeOffset Time, bool Whole);

/// <summary>What one origin holds that matters to a deploy, read with a few listings and no per-file requests.</summary>
public sealed record OriginState
{
    public required string Origin { get; init; }

    /// <summary>Live release per the origin's live.json, if any.</summary>
    public string? LiveId { get; init; }

    /// <summary>Objects already under the new release's folder: path to ETag (quoted).</summary>
    public IReadOnlyDictionary<string, string> NewReleaseObjects { get; init; } = new Dictionary<string, string>();

    /// <summary>Objects of other releases that a copy can start from: ETag (quoted) to key.</summary>
    public IReadOnlyDictionary<string, string> CopySources { get; init; } = new Dictionary<string, string>();

    /// <summary>Release folders and manifests on the origin.</summary>
    public IReadOnlyList<ReleaseOnOrigin> Releases { get; init; } = [];
}

/// <summary>What a deploy does on one origin.</summary>
public sealed record OriginPlan
{
    public required string Origin { get; init; }

    public required IReadOnlyList<ReleaseFile> Uploads { get; init; }

    /// <summary>Files made by a server-side copy of an object with the same ETag: no bytes sent.</summary>
    public required IReadOnlyList<(ReleaseFile File, string SourceKey)> Copies { get; init; }

    /// <summary>Files already under the new release with the right ETag (what a re-run finds).</summary>
    public required int Present { get; init; }

    /// <summary>Keys under the new release's folder that are not in it (an interrupted run of other content, or tampering).</summary>
    public required IReadOnlyList<string> Extra { get; init; }

    public required bool WriteManifest { get; init; }

    /// <summary>Old releases to remove after the new one is live.</summary>
    public required IReadOnlyList<string> Prune { get; init; }

    public long UploadBytes => Uploads.Sum(f => f.Size);

    public bool NothingToWrite => Uploads.Count == 0 && Copies.Count == 0 && Extra.Count == 0 && !WriteManifest;
}

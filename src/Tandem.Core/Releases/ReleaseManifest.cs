using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tandem.Core.Releases;

/// <summary>One file of a release, as stored on every origin.</summary>
public sealed record ReleaseFile
{
    /// <summary>Path relative to the site root with '/' separators, no leading slash ("css/site.css").</summary>
    public required string Path { get; init; }

    /// <summary>MD5 of the content, 32 lower-case hex digits.</summary>
    public required string Md5 { get; init; }

    public required long Size { get; init; }

    /// <summary>
    /// The ETag an origin reports for the object: "MD5" in quotes for a single PUT, or the
    /// multipart form ("HEX-N") for files uploaded in parts.
    /// </summary>
    public required string ETag { get; init; }

    public required string ContentType { get; init; }

    public string? CacheControl { get; init; }

    /// <summary>Other stored headers (Content-Language, x-amz-meta-*), by name.</summary>
    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// What a release holds, written as <c>_tandem/releases/ID.json</c> on every origin once all its
/// files are there. Edges read it to know which paths a release changed.
/// </summary>
public sealed record ReleaseManifest
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Id { get; init; }

    /// <summary>When the release was first made.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>Files in path order.</summary>
    public required List<ReleaseFile> Files { get; init; }

    public long Bytes => Files.Sum(f => f.Size);

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses a manifest; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static ReleaseManifest Parse(ReadOnlySpan<byte> json)
    {
        ReleaseManifest? m;
        try
        {
            m = JsonSerializer.Deserialize<ReleaseManifest>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"release manifest is not valid JSON: {ex.Message}", ex);
        }

        if (m is null || !ReleaseLayout.IsReleaseId(m.Id) || m.Files is null)
        {
            throw new FormatException("release manifest lacks an id of 12 hex digits or its file list");
        }

        return m;
    }
}

/// <summary>Contents of <c>_tandem/live.json</c>: the release an origin's website endpoint and new edges serve.</summary>
public sealed record LivePointer
{
    public required string Id { get; init; }

    public required DateTimeOffset Activated { get; init; }

    /// <summary>The release that was live before, if any.</summary>
    public string? Previous { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, ReleaseManifest.Json);

    public static LivePointer Parse(ReadOnlySpan<byte> json)
    {
        LivePointer? p;
        try
        {
            p = JsonSerializer.Deserialize<LivePointer>(json, ReleaseManifest.Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"live pointer is not valid JSON: {ex.Message}", ex);
        }

        return p is not null && ReleaseLayout.IsReleaseId(p.Id) ? p : throw new FormatException("live pointer lacks a release id of 12 hex digits");
    }
}

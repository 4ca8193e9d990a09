using System.Text.Json.Serialization;

namespace Tandem.Origin.Storage;

/// <summary>
/// The metadata inside an object or part file. Its own type, not <see cref="ObjectInfo"/>, so
/// that reshaping the public model cannot silently change what is on disk.
/// </summary>
internal sealed record StoredObject
{
    public required string Key { get; init; }

    public required long Size { get; init; }

    public required string ETag { get; init; }

    public required DateTimeOffset LastModified { get; init; }

    public ObjectHeaders? Headers { get; init; }

    public Dictionary<string, string>? Checksums { get; init; }

    public int PartsCount { get; init; }

    public static StoredObject From(ObjectInfo info) => new()
    {
        Key = info.Key,
        Size = info.Size,
        ETag = info.ETag,
        LastModified = info.LastModified,
        Headers = ReferenceEquals(info.Headers, ObjectHeaders.Empty) ? null : info.Headers,
        Checksums = info.Checksums.Count == 0 ? null : new Dictionary<string, string>(info.Checksums, StringComparer.Ordinal),
        PartsCount = info.PartsCount,
    };

    public ObjectInfo ToInfo() => new()
    {
        Key = Key,
        Size = Size,
        ETag = ETag,
        LastModified = LastModified,
        Headers = Headers ?? ObjectHeaders.Empty,
        Checksums = Checksums ?? NoChecksums,
        PartsCount = PartsCount,
    };

    private static readonly Dictionary<string, string> NoChecksums = new(StringComparer.Ordinal);
}

/// <summary>bucket.json: everything about a bucket but its objects.</summary>
internal sealed record StoredBucket
{
    public required DateTimeOffset Created { get; init; }

    public required string Region { get; init; }

    public WebsiteConfiguration? Website { get; init; }

    public string? Policy { get; init; }

    public static StoredBucket From(BucketInfo info) => new() { Created = info.Created, Region = info.Region, Website = info.Website, Policy = info.PolicyJson };

    public BucketInfo ToInfo(string name) => new() { Name = name, Created = Created, Region = Region, Website = Website, PolicyJson = Policy };
}

/// <summary>upload.json: a multipart upload's key and the headers its object will get.</summary>
internal sealed record StoredUpload
{
    public required string Key { get; init; }

    public required DateTimeOffset Initiated { get; init; }

    public ObjectHeaders? Headers { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredObject))]
[JsonSerializable(typeof(StoredBucket))]
[JsonSerializable(typeof(StoredUpload))]
internal sealed partial class StorageJson : JsonSerializerContext;

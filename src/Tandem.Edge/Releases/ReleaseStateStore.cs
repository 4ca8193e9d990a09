using System.Text.Json;
using Tandem.Core.Releases;

namespace Tandem.Edge.Releases;

/// <summary>What an edge keeps on disk about releases: the live one and the ids it knows, newest last.</summary>
internal sealed record ReleaseStateFile
{
    public string? Live { get; init; }

    public DateTimeOffset? Activated { get; init; }

    public string? Previous { get; init; }

    public List<string> Known { get; init; } = [];
}

/// <summary>
/// The edge's release state on disk, in its stateDir: <c>releases.json</c> (<see cref="ReleaseStateFile"/>)
/// and <c>manifests/ID.json</c>, each as fetched. Every file is written to a temporary name and
/// renamed over the old one, so a crash leaves the old file or the new, never half of one; a
/// manifest is written before the state that names it.
/// </summary>
internal sealed class ReleaseStateStore
{
    public const string StateFileName = "releases.json";

    private readonly string _dir;

    public ReleaseStateStore(string dir)
    {
        _dir = Path.GetFullPath(dir);
    }

    public string Directory => _dir;

    public string StatePath => Path.Combine(_dir, StateFileName);

    public string ManifestPath(string id) => Path.Combine(_dir, "manifests", id + ".json");

    public void SaveManifest(ReleaseManifest manifest) => WriteAtomic(ManifestPath(manifest.Id), manifest.ToJson());

    public void Save(ReleaseStateFile state) => WriteAtomic(StatePath, JsonSerializer.SerializeToUtf8Bytes(state, ReleaseManifest.Json));

    public void DeleteManifest(string id)
    {
        try
        {
            File.Delete(ManifestPath(id));
        }
        catch (IOException)
        {
            // A manifest left behind costs a few kilobytes and is never read unless the state names it.
        }
    }

    /// <summary>
    /// Reads the state and the manifests it names; null when there is no state file. A manifest
    /// that is missing or unreadable is left out (and the live release with it, if it was that one).
    /// </summary>
    /// <exception cref="FormatException">The state file is not what this edge writes.</exception>
    public (ReleaseStateFile State, Dictionary<string, ReleaseManifest> Manifests)? Load()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(StatePath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        ReleaseStateFile? state;
        try
        {
            state = JsonSerializer.Deserialize<ReleaseStateFile>(bytes, ReleaseManifest.Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{StatePath} is not valid JSON: {ex.Message}", ex);
        }

        if (state is null || (state.Live is not null && !ReleaseLayout.IsReleaseId(state.Live)))
        {
            throw new FormatException($"{StatePath} does not name a release id of 12 hex digits");
        }

        var manifests = new Dictionary<string, ReleaseManifest>(StringComparer.Ordinal);
        foreach (var id in state.Known.Append(state.Live).OfType<string>().Where(ReleaseLayout.IsReleaseId).Distinct())
        {
            try
            {
                var m = ReleaseManifest.Parse(File.ReadAllBytes(ManifestPath(id)));
                if (m.Id == id)
                {
                    manifests[id] = m;
                }
            }
            catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
            {
            }
        }

        return (state, manifests);
    }

    private static void WriteAtomic(string path, byte[] bytes)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}

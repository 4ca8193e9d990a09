using System.Security.Cryptography;
using System.Text;

namespace Tandem.Core.Releases;

/// <summary>
/// Where a release lives in a bucket. Everything sits under the origin's prefix (P, often empty):
/// <list type="bullet">
/// <item><c>P releases/ID/PATH</c>: the site's files, one whole copy per release, so any S3
/// website endpoint can serve a release by itself;</item>
/// <item><c>P _tandem/releases/ID.json</c>: the release manifest, written last: its presence means
/// the release is whole on that origin;</item>
/// <item><c>P _tandem/live.json</c>: which release is live (<see cref="LivePointer"/>).</item>
/// </list>
/// Edges fetch <c>ORIGINPATH/P releases/ID/PATH</c> from the website endpoint.
/// </summary>
public static class ReleaseLayout
{
    public const string ReleasesFolder = "releases/";
    public const string MetaFolder = "_tandem/";

    /// <summary>Normalised prefix: "" or "a/b/" (no leading slash, one trailing slash).</summary>
    public static string Prefix(string? prefix)
    {
        var p = (prefix ?? "").Trim('/');
        return p.Length == 0 ? "" : p + "/";
    }

    /// <summary>Key prefix of one release's files: "P releases/ID/".</summary>
    public static string ReleaseKeyPrefix(string? prefix, string id) => $"{Prefix(prefix)}{ReleasesFolder}{id}/";

    /// <summary>Key of one file of a release; <paramref name="path"/> is relative ("css/site.css").</summary>
    public static string ObjectKey(string? prefix, string id, string path) => ReleaseKeyPrefix(prefix, id) + path;

    /// <summary>Key prefix under which all manifests sit.</summary>
    public static string ManifestKeyPrefix(string? prefix) => $"{Prefix(prefix)}{MetaFolder}releases/";

    public static string ManifestKey(string? prefix, string id) => $"{ManifestKeyPrefix(prefix)}{id}.json";

    public static string LiveKey(string? prefix) => $"{Prefix(prefix)}{MetaFolder}live.json";

    /// <summary>URL path (leading slash, no trailing slash) an edge puts before a visitor's path: "/P releases/ID".</summary>
    public static string UrlPathPrefix(string? prefix, string id) => "/" + ReleaseKeyPrefix(prefix, id).TrimEnd('/');

    /// <summary>URL path of a manifest on a website endpoint.</summary>
    public static string ManifestUrlPath(string? prefix, string id) => "/" + ManifestKey(prefix, id);

    /// <summary>URL path of the live pointer on a website endpoint.</summary>
    public static string LiveUrlPath(string? prefix) => "/" + LiveKey(prefix);

    /// <summary>True for a well-formed release id (12 lower-case hex digits).</summary>
    public static bool IsReleaseId(string? id) =>
        id is { Length: 12 } && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>
    /// A release's id is a hash of what it serves (paths, content hashes, stored headers), so the
    /// same folder always makes the same release: a re-run finds what it already uploaded, and
    /// deploying content that an older release holds makes that release live again.
    /// </summary>
    public static string ComputeId(IEnumerable<ReleaseFile> files)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var f in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            var line = new StringBuilder()
                .Append(f.Path).Append('\n').Append(f.Md5).Append('\n').Append(f.Size).Append('\n')
                .Append(f.ContentType).Append('\n').Append(f.CacheControl).Append('\n');
            foreach (var (k, v) in f.Metadata.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase))
            {
                line.Append(k.ToLowerInvariant()).Append(':').Append(v).Append('\n');
            }

            sha.AppendData(Encoding.UTF8.GetBytes(line.Append('\0').ToString()));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset())[..12];
    }
}

using Tandem.Core.Releases;

namespace Tandem.Tests.Edge.Releases;

internal static class ReleaseTestData
{
    public static readonly DateTimeOffset Created = new(2026, 11, 26, 5, 0, 0, TimeSpan.Zero);

    /// <summary>A manifest of <paramref name="files"/> ("path=md5-seed"), with a made-up id unless given.</summary>
    public static ReleaseManifest Manifest(string id, params string[] files) => new()
    {
        Id = id,
        Created = Created,
        Files = [.. files.Select(f =>
        {
            var (path, seed) = (f.Split('=')[0], f.Split('=')[1]);
            var md5 = seed.PadLeft(32, '0');
            return new ReleaseFile { Path = path, Md5 = md5, Size = 10, ETag = $"\"{md5}\"", ContentType = "text/html" };
        })],
    };
}

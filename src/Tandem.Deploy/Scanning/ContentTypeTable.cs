using System.Collections.Frozen;

namespace Tandem.Deploy.Scanning;

/// <summary>
/// Content-Type by file extension for web sites. Written out here rather than taken from
/// ASP.NET Core's FileExtensionContentTypeProvider so that deploys do not change when the
/// framework's table does, and so text types carry "; charset=utf-8" as a site wants.
/// </summary>
public static class ContentTypeTable
{
    public const string Fallback = "application/octet-stream";

    private static readonly FrozenDictionary<string, string> Types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".htm"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".mjs"] = "text/javascript; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".map"] = "application/json; charset=utf-8",
        [".webmanifest"] = "application/manifest+json; charset=utf-8",
        [".xml"] = "application/xml; charset=utf-8",
        [".rss"] = "application/rss+xml; charset=utf-8",
        [".atom"] = "application/atom+xml; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
        [".md"] = "text/markdown; charset=utf-8",
        [".csv"] = "text/csv; charset=utf-8",
        [".ics"] = "text/calendar; charset=utf-8",
        [".svg"] = "image/svg+xml; charset=utf-8",
        [".wasm"] = "application/wasm",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".avif"] = "image/avif",
        [".ico"] = "image/x-icon",
        [".bmp"] = "image/bmp",
        [".woff"] = "font/woff",
        [".woff2"] = "font/woff2",
        [".ttf"] = "font/ttf",
        [".otf"] = "font/otf",
        [".eot"] = "application/vnd.ms-fontobject",
        [".mp4"] = "video/mp4",
        [".webm"] = "video/webm",
        [".mp3"] = "audio/mpeg",
        [".ogg"] = "audio/ogg",
        [".wav"] = "audio/wav",
        [".pdf"] = "application/pdf",
        [".zip"] = "application/zip",
        [".gz"] = "application/gzip",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The type for <paramref name="path"/>: the config's override for its extension, else the table, else octet-stream.</summary>
    public static string For(string path, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var ext = Path.GetExtension(path);
        if (ext.Length == 0)
        {
            return Fallback;
        }

        // The config's dictionary may come back from JSON without its case-insensitive comparer.
        if (overrides is not null && (overrides.TryGetValue(ext, out var configured) || overrides.TryGetValue(ext.ToLowerInvariant(), out configured)))
        {
            return configured;
        }

        return Types.TryGetValue(ext, out var type) ? type : Fallback;
    }
}

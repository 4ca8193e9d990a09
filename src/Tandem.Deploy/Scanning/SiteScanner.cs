using System.Collections.Concurrent;
using System.IO.Enumeration;
using Tandem.Core.Configuration;
using Tandem.Core.Releases;

namespace Tandem.Deploy.Scanning;

/// <summary>What a scan of the site folder found.</summary>
public sealed record ScanResult(IReadOnlyList<LocalFile> Files, int Hashed, long BytesHashed);

/// <summary>
/// Walks the site folder: skips excluded paths, gives each file its Content-Type and headers, and
/// takes its MD5 from the hash cache when size and time are unchanged (reading only the rest, in parallel).
/// </summary>
public sealed class SiteScanner
{
    private readonly DeployConfig _config;
    private readonly List<GlobPattern> _exclude;
    private readonly List<(GlobPattern Pattern, DeployHeaderRule Rule)> _headers;

    public SiteScanner(DeployConfig config)
    {
        _config = config;
        _exclude = config.Exclude.Select(p => new GlobPattern(p)).ToList();
        _headers = config.Headers.Select(r => (new GlobPattern(r.PathPattern), r)).ToList();
    }

    /// <summary>
    /// Scans the folder a command was given (default: the config's site.root) with the config's
    /// hash cache, and saves the cache when it learnt something. A folder problem is a usage error.
    /// </summary>
    public static async Task<(string Folder, ScanResult Scan)> ScanSiteAsync(LoadedConfig loaded, string? folder, CancellationToken cancellationToken)
    {
        var root = folder is { } f ? Path.GetFullPath(f) : loaded.ResolvePath(loaded.Config.Site.Root);
        var cachePath = loaded.ResolvePath(loaded.Config.Deploy.HashCache);
        var cache = HashCache.Load(cachePath);
        ScanResult scan;
        try
        {
            scan = await new SiteScanner(loaded.Config.Deploy).ScanAsync(root, cache, cancellationToken);
        }
        catch (DeployException ex)
        {
            throw new DeployException(ex.Message, 2);
        }

        if (cache.Changed)
        {
            cache.Save(cachePath);
        }

        return (root, scan);
    }

    public bool IsExcluded(string path) => _exclude.Exists(p => p.IsMatch("/" + path));

    /// <summary>The file as it will be stored, without its hashes.</summary>
    public (string ContentType, string? CacheControl, Dictionary<string, string> Metadata) HeadersFor(string path)
    {
        var contentType = ContentTypeTable.For(path, _config.ContentTypes);
        foreach (var (pattern, rule) in _headers)
        {
            if (pattern.IsMatch("/" + path))
            {
                return (rule.ContentType ?? contentType, rule.CacheControl, new Dictionary<string, string>(rule.Metadata, StringComparer.OrdinalIgnoreCase));
            }
        }

        return (contentType, null, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Scans <paramref name="root"/>; throws <see cref="DeployException"/> for a missing folder or a link leading out of it.</summary>
    public async Task<ScanResult> ScanAsync(string root, HashCache cache, CancellationToken cancellationToken)
    {
        root = Path.GetFullPath(root);
        if (!Directory.Exists(root))
        {
            throw new DeployException($"site folder '{root}' does not exist");
        }

        var found = new List<(string Full, string Rel, long Size, long Mtime)>();
        Walk(root, root, "", found, new HashSet<string>(StringComparer.Ordinal) { root });

        var results = new LocalFile[found.Count];
        var hashed = 0;
        long bytesHashed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, found.Count), new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, (i, _) =>
        {
            var (full, rel, size, mtime) = found[i];
            var entry = cache.Get(full, size, mtime);
            if (entry is null)
            {
                var (md5, etag) = FileHasher.Hash(full, size);
                entry = new HashCache.Entry(size, mtime, md5, etag);
                cache.Set(full, entry);
                Interlocked.Increment(ref hashed);
                Interlocked.Add(ref bytesHashed, size);
            }

            var (type, cacheControl, metadata) = HeadersFor(rel);
            results[i] = new LocalFile(full, new ReleaseFile
            {
                Path = rel,
                Md5 = entry.Md5,
                Size = size,
                ETag = entry.ETag,
                ContentType = type,
                CacheControl = cacheControl,
                Metadata = metadata,
            });
            return ValueTask.CompletedTask;
        });

        cache.Retain(root + Path.DirectorySeparatorChar, found.Select(f => f.Full).ToHashSet(StringComparer.Ordinal));
        Array.Sort(results, (a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new ScanResult(results, hashed, bytesHashed);
    }

    private void Walk(string root, string dir, string relDir, List<(string, string, long, long)> found, HashSet<string> visited)
    {
        // FileSystemEnumerable hands over each entry's name, size, time and attributes from the
        // directory read itself: no FileSystemInfo per file, no readlink unless it is a link.
        // AttributesToSkip = 0: dot files (".well-known/…") are Hidden on Unix and are site content;
        // excludes decide what stays out. Unreadable folders fail the deploy rather than vanish.
        var entries = new FileSystemEnumerable<(string Name, string Full, bool IsDir, bool IsLink, long Size, long Mtime)>(dir,
            (ref FileSystemEntry e) => (e.FileName.ToString(), e.ToFullPath(), e.IsDirectory, (e.Attributes & FileAttributes.ReparsePoint) != 0, e.Length, e.LastWriteTimeUtc.UtcTicks),
            new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0 });
        foreach (var entry in entries)
        {
            var rel = relDir + entry.Name;
            if (entry.IsLink)
            {
                WalkLink(root, new FileInfo(entry.Full), rel, found, visited);
            }
            else if (entry.IsDir)
            {
                if (!IsExcluded(rel + "/") && visited.Add(entry.Full))
                {
                    Walk(root, entry.Full, rel + "/", found, visited);
                }
            }
            else if (!IsExcluded(rel))
            {
                found.Add((entry.Full, rel, entry.Size, entry.Mtime));
            }
        }
    }

    /// <summary>A link is followed only to something inside the site folder.</summary>
    private void WalkLink(string root, FileSystemInfo info, string rel, List<(string, string, long, long)> found, HashSet<string> visited)
    {
        var resolved = info.ResolveLinkTarget(returnFinalTarget: true);
        if (resolved is null || !resolved.Exists)
        {
            throw new DeployException($"'{rel}' is a link to something that does not exist");
        }

        if (!IsInside(root, resolved.FullName))
        {
            throw new DeployException($"'{rel}' is a link to '{resolved.FullName}', outside the site folder; copy the file in or remove the link");
        }

        if (resolved is DirectoryInfo d)
        {
            // A link back up the tree would walk forever; each real folder is walked once.
            if (!IsExcluded(rel + "/") && visited.Add(d.FullName))
            {
                Walk(root, info.FullName, rel + "/", found, visited);
            }
        }
        else if (resolved is FileInfo f && !IsExcluded(rel))
        {
            found.Add((info.FullName, rel, f.Length, f.LastWriteTimeUtc.Ticks));
        }
    }

    private static bool IsInside(string root, string path) =>
        path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}

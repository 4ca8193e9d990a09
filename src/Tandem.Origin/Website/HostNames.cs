using System.Collections.Concurrent;
using Tandem.Core.Configuration;

namespace Tandem.Origin.Website;

/// <summary>The bucket names a Host header can stand for: exact, and virtual-hosted under the base domain.</summary>
internal readonly record struct HostCandidates(string? Exact, string? Virtual)
{
    /// <summary>The name to report in NoSuchBucket when neither exists.</summary>
    public string? Requested => Virtual ?? Exact;
}

/// <summary>
/// Turns Host headers into bucket names once per distinct host. Only valid bucket names come out,
/// so nothing a client writes in Host reaches the store unless it could name a bucket.
/// </summary>
internal sealed class HostNames(string? baseDomain)
{
    // Hosts are few (the site's names, a bucket per test); the bound keeps a client that sends
    // random Host headers from growing the cache.
    private const int MaxCached = 1024;

    private readonly ConcurrentDictionary<string, HostCandidates> _cache = new(StringComparer.OrdinalIgnoreCase);

    public HostCandidates Resolve(string host)
    {
        if (_cache.TryGetValue(host, out var cached))
        {
            return cached;
        }

        var candidates = Parse(host, baseDomain);
        if (_cache.Count < MaxCached)
        {
            _cache.TryAdd(host, candidates);
        }

        return candidates;
    }

    /// <summary>Pure: the candidates for <paramref name="host"/> (a Host header value, port allowed).</summary>
    public static HostCandidates Parse(string host, string? baseDomain)
    {
        var name = host.AsSpan().Trim();
        if (name.IsEmpty || name[0] == '[')
        {
            // Empty, or an IPv6 literal: no bucket is named after either.
            return default;
        }

        var colon = name.LastIndexOf(':');
        if (colon >= 0)
        {
            name = name[..colon];
        }

        var lower = name.TrimEnd('.').ToString().ToLowerInvariant();
        var exact = BucketNames.Check(lower) is null ? lower : null;
        string? hosted = null;
        if (!string.IsNullOrEmpty(baseDomain) && lower.Length > baseDomain.Length + 1
            && lower.EndsWith(baseDomain, StringComparison.Ordinal) && lower[lower.Length - baseDomain.Length - 1] == '.')
        {
            var bucket = lower[..(lower.Length - baseDomain.Length - 1)];
            hosted = BucketNames.Check(bucket) is null ? bucket : null;
        }

        return new HostCandidates(exact, hosted);
    }
}

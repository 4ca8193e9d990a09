using Tandem.Core.Configuration;

namespace Tandem.Origin.Website;

/// <summary>
/// How the website endpoint picks a bucket. For a Host header (port ignored) it tries, in order:
/// a bucket named exactly as the host ("www.example.com"); for "BUCKET.<see cref="BaseDomain"/>",
/// the bucket BUCKET ("site.localhost:9001" names "site"); then <see cref="FallbackBucket"/>.
/// </summary>
public sealed class WebsiteOptions
{
    private string? _baseDomain = "localhost";
    private string? _fallbackBucket;

    /// <summary>
    /// Hosts "BUCKET.BaseDomain" name BUCKET, the way S3 names buckets in
    /// "BUCKET.s3-website-REGION.amazonaws.com". Default "localhost", because every "*.localhost"
    /// name resolves to loopback (RFC 6761), so "curl http://site.localhost:9001/" works without
    /// DNS. Null or empty turns virtual-hosted names off.
    /// </summary>
    public string? BaseDomain
    {
        get => _baseDomain;
        set => _baseDomain = string.IsNullOrWhiteSpace(value) ? null : value.Trim().Trim('.').ToLowerInvariant();
    }

    /// <summary>
    /// The bucket served when the Host names no existing bucket: the origin's configured bucket,
    /// so "http://127.0.0.1:9001/" serves the site of a single-bucket origin. Default null: such
    /// requests get 404 NoSuchBucket, as on S3.
    /// </summary>
    public string? FallbackBucket
    {
        get => _fallbackBucket;
        set
        {
            if (value is not null && BucketNames.Check(value) is { } problem)
            {
                throw new ArgumentException($"FallbackBucket: {problem}", nameof(value));
            }

            _fallbackBucket = value;
        }
    }
}

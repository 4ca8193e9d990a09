using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Tandem.Core.Configuration;

namespace Tandem.Edge.Acme.Sharing;

/// <summary>
/// A share in a private bucket on an origin's S3 API (Tandem's own or any S3-compatible service
/// with conditional writes). The lease is created with <c>If-None-Match: *</c>, so of two edges
/// creating it at once exactly one succeeds. The bucket is created on first use when missing, and
/// is never the site's bucket: the website would serve the key to anyone.
/// </summary>
public sealed class S3Share : CertificateShare, IDisposable
{
    private readonly AmazonS3Client _s3;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly string _endpoint;
    private bool _bucketChecked;

    public S3Share(string endpoint, string bucket, string prefix, string region, bool pathStyle, S3Credentials credentials)
    {
        _endpoint = endpoint;
        _bucket = bucket;
        _prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
        _s3 = new AmazonS3Client(new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey), new AmazonS3Config
        {
            ServiceURL = endpoint,
            ForcePathStyle = pathStyle,
            AuthenticationRegion = region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromSeconds(20),
            MaxErrorRetry = 1,
        });
    }

    public override string Description => $"bucket {_bucket}/{_prefix} on {_endpoint}";

    protected override async Task<string?> ReadAsync(string name, CancellationToken ct)
    {
        try
        {
            using var response = await _s3.GetObjectAsync(_bucket, _prefix + name, ct);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync(ct);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null; // no such key, or no such bucket yet
        }
    }

    protected override async Task WriteAsync(string name, string text, CancellationToken ct)
    {
        await EnsureBucketAsync(ct);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = _prefix + name, ContentBody = text }, ct);
    }

    protected override async Task<bool> CreateAsync(string name, string text, CancellationToken ct)
    {
        await EnsureBucketAsync(ct);
        try
        {
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = _bucket, Key = _prefix + name, ContentBody = text, IfNoneMatch = "*" }, ct);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    protected override async Task DeleteAsync(string name, CancellationToken ct)
    {
        try
        {
            await _s3.DeleteObjectAsync(_bucket, _prefix + name, ct);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private async Task EnsureBucketAsync(CancellationToken ct)
    {
        if (_bucketChecked)
        {
            return;
        }

        try
        {
            await _s3.PutBucketAsync(new PutBucketRequest { BucketName = _bucket }, ct);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
        }

        _bucketChecked = true;
    }

    public void Dispose() => _s3.Dispose();
}

using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Tandem.Core.Configuration;
using Tandem.Core.Releases;
using Tandem.Deploy.Scanning;

namespace Tandem.Deploy.Origins;

/// <summary>An object as a listing reports it.</summary>
public sealed record ListedObject(string Key, string ETag, long Size, DateTimeOffset LastModified);

/// <summary>
/// One origin's S3 API as the deploy uses it: one AWSSDK client per origin, with endpoint, path
/// style, signing region and credentials from the config.
/// </summary>
public sealed class OriginConnection : IDisposable
{
    private readonly AmazonS3Client _s3;
    private readonly bool _https;
    private readonly string _region;

    public OriginConnection(string name, OriginConfig config, S3Credentials credentials, string? defaultRegion = null)
    {
        Name = name;
        Config = config;
        Bucket = config.Bucket;
        Prefix = ReleaseLayout.Prefix(config.Prefix);
        _https = config.S3Endpoint?.StartsWith("https:", StringComparison.OrdinalIgnoreCase) == true;
        _region = config.S3Region ?? config.Server?.SigningRegion ?? defaultRegion ?? "us-east-1";
        var s3Config = new AmazonS3Config
        {
            ServiceURL = config.S3Endpoint,
            ForcePathStyle = config.PathStyle,
            AuthenticationRegion = _region,
            // Content-MD5 already makes the origin check every body; CRC trailers on top would cost
            // a second pass and are not implemented by every S3-compatible service.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromSeconds(60),
            MaxErrorRetry = 2,
        };
        _s3 = new AmazonS3Client(new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey), s3Config);
    }

    public string Name { get; }

    public OriginConfig Config { get; }

    public string Bucket { get; }

    /// <summary>The normalised key prefix: "" or "a/b/".</summary>
    public string Prefix { get; }

    /// <summary>Opens a connection for every origin named in <paramref name="names"/>; credentials problems throw <see cref="ConfigException"/>.</summary>
    public static List<OriginConnection> OpenAll(LoadedConfig loaded, IEnumerable<string> names)
    {
        var list = new List<OriginConnection>();
        foreach (var name in names)
        {
            var origin = loaded.Config.Origins[name];
            if (origin.S3Endpoint is null)
            {
                throw new ConfigException(loaded.SourcePath, [new ConfigError($"$.origins.{name}.s3Endpoint", "deploy needs the origin's S3 API URL, such as \"http://127.0.0.1:9000\"")]);
            }

            var credentials = CredentialResolver.Resolve(origin.Credentials ?? new CredentialsConfig(), $"$.origins.{name}.credentials", loaded.ResolvePath);
            list.Add(new OriginConnection(name, origin, credentials));
        }

        return list;
    }

    /// <summary>Every object under <paramref name="prefix"/>, with one paged ListObjectsV2.</summary>
    public Task<List<ListedObject>> ListAsync(string prefix, CancellationToken cancellationToken) => ListRangeAsync(prefix, null, null, cancellationToken);

    /// <summary>
    /// Objects under <paramref name="prefix"/> after <paramref name="startAfter"/> up to and including
    /// <paramref name="last"/> (both keys; null for the open ends), in S3's UTF-8 byte order.
    /// </summary>
    public async Task<List<ListedObject>> ListRangeAsync(string prefix, string? startAfter, string? last, CancellationToken cancellationToken)
    {
        var result = new List<ListedObject>();
        string? token = null;
        do
        {
            var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, StartAfter = startAfter, ContinuationToken = token, MaxKeys = 1000 }, cancellationToken);
            foreach (var o in page.S3Objects ?? [])
            {
                if (last is not null && Utf8Order.Compare(o.Key, last) > 0)
                {
                    return result;
                }

                result.Add(new ListedObject(o.Key, o.ETag ?? "", o.Size ?? 0, o.LastModified is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue));
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return result;
    }

    /// <summary>The folder names directly under <paramref name="prefix"/> ("releases/" gives release ids).</summary>
    public async Task<List<string>> ListFoldersAsync(string prefix, CancellationToken cancellationToken)
    {
        var result = new List<string>();
        string? token = null;
        do
        {
            var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix, Delimiter = "/", ContinuationToken = token, MaxKeys = 1000 }, cancellationToken);
            result.AddRange((page.CommonPrefixes ?? []).Select(p => p[prefix.Length..].TrimEnd('/')));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        return result;
    }

    /// <summary>An object's bytes, or null when there is no such key.</summary>
    public async Task<byte[]?> GetBytesAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _s3.GetObjectAsync(Bucket, key, cancellationToken);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Writes a small record of Tandem's own (manifest, live pointer); never cached by a browser or edge.</summary>
    public Task PutJsonAsync(string key, byte[] json, CancellationToken cancellationToken) =>
        _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Bucket,
            Key = key,
            InputStream = new MemoryStream(json),
            ContentType = "application/json",
            MD5Digest = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(json)),
            Headers = { CacheControl = "no-store" },
            UseChunkEncoding = false,
        }, cancellationToken);

    /// <summary>Uploads one file under <paramref name="key"/>, in parts when it is large; the origin checks each body's MD5.</summary>
    public async Task UploadAsync(LocalFile file, string key, Action<long>? progress, CancellationToken cancellationToken)
    {
        var f = file.File;
        if (!FileHasher.IsMultipart(f.Size))
        {
            var request = new PutObjectRequest
            {
                BucketName = Bucket,
                Key = key,
                FilePath = file.FullPath,
                ContentType = f.ContentType,
                MD5Digest = Convert.ToBase64String(Convert.FromHexString(f.Md5)),
                UseChunkEncoding = false,
                // Over HTTPS the body need not be hashed into the signature as well (TLS and
                // Content-MD5 protect it), which saves reading every file a second time. The SDK
                // allows this only over HTTPS.
                DisablePayloadSigning = _https,
            };
            ApplyHeaders(f, request.Headers, request.Metadata);
            await _s3.PutObjectAsync(request, cancellationToken);
            progress?.Invoke(f.Size);
            return;
        }

        var init = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key, ContentType = f.ContentType };
        ApplyHeaders(f, init.Headers, init.Metadata);
        var upload = await _s3.InitiateMultipartUploadAsync(init, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            var count = FileHasher.PartCount(f.Size);
            for (var i = 0; i < count; i++)
            {
                var offset = i * FileHasher.PartSize;
                var size = Math.Min(FileHasher.PartSize, f.Size - offset);
                var part = await _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket,
                    Key = key,
                    UploadId = upload.UploadId,
                    PartNumber = i + 1,
                    FilePath = file.FullPath,
                    FilePosition = offset,
                    PartSize = size,
                    UseChunkEncoding = false,
                }, cancellationToken);
                parts.Add(new PartETag(i + 1, part.ETag));
                progress?.Invoke(size);
            }

            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId, PartETags = parts }, cancellationToken);
        }
        catch
        {
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Server-side copy with the release's own headers (no bytes pass through this machine).</summary>
    public Task CopyAsync(string sourceKey, ReleaseFile file, string key, CancellationToken cancellationToken)
    {
        var request = new CopyObjectRequest
        {
            SourceBucket = Bucket,
            SourceKey = sourceKey,
            DestinationBucket = Bucket,
            DestinationKey = key,
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = file.ContentType,
        };
        ApplyHeaders(file, request.Headers, request.Metadata);
        return _s3.CopyObjectAsync(request, cancellationToken);
    }

    /// <summary>Deletes keys, 1000 per request.</summary>
    public async Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var chunk in keys.Chunk(1000))
        {
            var response = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = Bucket,
                Objects = chunk.Select(k => new KeyVersion { Key = k }).ToList(),
                Quiet = true,
            }, cancellationToken);
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                throw new DeployException($"could not delete {errors.Count} object(s), first {errors[0].Key}: {errors[0].Code} {errors[0].Message}");
            }
        }
    }

    public Task PutWebsiteAsync(WebsiteConfiguration website, CancellationToken cancellationToken) =>
        _s3.PutBucketWebsiteAsync(new PutBucketWebsiteRequest { BucketName = Bucket, WebsiteConfiguration = website }, cancellationToken);

    /// <summary>Turns website hosting off (what the reference's failover test does to the primary).</summary>
    public Task DeleteWebsiteAsync(CancellationToken cancellationToken) =>
        _s3.DeleteBucketWebsiteAsync(new DeleteBucketWebsiteRequest { BucketName = Bucket }, cancellationToken);

    /// <summary>The bucket's website configuration, or null when it has none.</summary>
    public async Task<WebsiteConfiguration?> GetWebsiteAsync(CancellationToken cancellationToken)
    {
        try
        {
            // AWSSDK.S3 4.x answers a NoSuchWebsiteConfiguration (404) with an empty configuration
            // rather than an exception; a real one has an index document or redirects everything.
            var website = (await _s3.GetBucketWebsiteAsync(Bucket, cancellationToken)).WebsiteConfiguration;
            return string.IsNullOrEmpty(website?.IndexDocumentSuffix) && string.IsNullOrEmpty(website?.RedirectAllRequestsTo?.HostName) ? null : website;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The bucket policy, or null when it has none.</summary>
    public async Task<string?> GetPolicyAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await _s3.GetBucketPolicyAsync(Bucket, cancellationToken)).Policy;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task PutPolicyAsync(string policy, CancellationToken cancellationToken)
    {
        // AWS turns Block Public Access on for new buckets, which refuses a public policy; other
        // S3-compatible services have no such setting (and may not know the call).
        if (Uri.TryCreate(Config.S3Endpoint, UriKind.Absolute, out var endpoint) && endpoint.Host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase))
        {
            await _s3.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = Bucket }, cancellationToken);
        }

        await _s3.PutBucketPolicyAsync(Bucket, policy, cancellationToken);
    }

    /// <summary>Creates the bucket in the origin's region (us-east-1 takes no location constraint, as in S3).</summary>
    public Task CreateBucketAsync(CancellationToken cancellationToken) =>
        _s3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket, UseClientRegion = false, BucketRegionName = _region == "us-east-1" ? null : _region }, cancellationToken);

    /// <summary>HeadBucket: 200 (true), 404 (false); 403 and others throw.</summary>
    public async Task<bool> BucketExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _s3.HeadBucketAsync(new HeadBucketRequest { BucketName = Bucket }, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>ListBuckets: proves the endpoint answers and the key is accepted.</summary>
    public Task CheckCredentialsAsync(CancellationToken cancellationToken) => _s3.ListBucketsAsync(new ListBucketsRequest(), cancellationToken);

    /// <summary>One line saying what went wrong in a call to this origin.</summary>
    public string Describe(Exception ex) => ex switch
    {
        AmazonS3Exception { ErrorCode: "InvalidAccessKeyId" or "SignatureDoesNotMatch" } s3 => $"credentials not accepted by {Config.S3Endpoint} ({s3.ErrorCode}); check $.origins.{Name}.credentials",
        AmazonS3Exception { ErrorCode: "NoSuchBucket" } => $"bucket '{Bucket}' does not exist at {Config.S3Endpoint}; run tandem setup",
        AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden } s3 => $"access denied to bucket '{Bucket}' at {Config.S3Endpoint} ({s3.ErrorCode ?? "403"}): wrong credentials, or the bucket is someone else's",
        AmazonS3Exception s3 => $"{(int)s3.StatusCode} {s3.ErrorCode}: {s3.Message}",
        HttpRequestException or AmazonServiceException { InnerException: HttpRequestException } => $"cannot reach {Config.S3Endpoint}: {Innermost(ex).Message}",
        OperationCanceledException => "cancelled",
        _ => Innermost(ex).Message,
    };

    /// <summary>True when the failure is the origin being down (the others may go on), not a refusal.</summary>
    public static bool IsUnreachable(Exception ex) =>
        ex is HttpRequestException or System.Net.Sockets.SocketException or IOException or TimeoutException
        || (ex is AmazonServiceException and not AmazonS3Exception && ex.InnerException is not null)
        || (ex is AmazonS3Exception { StatusCode: >= HttpStatusCode.InternalServerError });

    public void Dispose() => _s3.Dispose();

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    private static void ApplyHeaders(ReleaseFile file, HeadersCollection headers, MetadataCollection metadata)
    {
        if (file.CacheControl is not null)
        {
            headers.CacheControl = file.CacheControl;
        }

        foreach (var (name, value) in file.Metadata)
        {
            if (name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
            {
                metadata.Add(name["x-amz-meta-".Length..], value);
            }
            else
            {
                headers[name] = value;
            }
        }
    }
}

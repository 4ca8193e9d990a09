using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Tandem.Origin.Storage;

// Multipart uploads live in buckets/<bucket>/uploads/<uploadId>/: upload.json and one file per
// part, "part-00001", in the object file format. They are outside objects/, so nothing of an
// upload is listed before CompleteMultipartUpload renames the joined object into place.
public sealed partial class FileObjectStore
{
    private const string UploadFile = "upload.json";
    private const string PartPrefix = "part-";
    private const int MaxPartNumber = 10_000;

    public string CreateMultipartUpload(string bucket, string key, ObjectHeaders headers)
    {
        var state = RequireBucket(bucket);
        ObjectKeys.Validate(key);
        var uploadId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var upload = new UploadState(key, Now(), headers ?? ObjectHeaders.Empty);

        // Built under tmp/ and renamed into uploads/, so an upload folder always has its upload.json.
        var staging = Path.Join(_tmpDirectory, uploadId + ".upload");
        try
        {
            Directory.CreateDirectory(staging);
            var stored = new StoredUpload { Key = key, Initiated = upload.Initiated, Headers = upload.Headers };
            WriteFile(Path.Join(staging, UploadFile), JsonSerializer.SerializeToUtf8Bytes(stored, StorageJson.Default.StoredUpload));
            FlushDirectory(staging);
            using (state.EnterShared())
            {
                Directory.Move(staging, state.UploadDirectory(uploadId));
                state.Uploads[uploadId] = upload;
                FlushDirectory(state.UploadsDirectory);
            }
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                FileSync.TryDeleteDirectory(staging);
            }
        }

        return uploadId;
    }

    public async Task<PartInfo> UploadPartAsync(string bucket, string key, string uploadId, int partNumber, Stream body, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        var state = RequireBucket(bucket);
        RequireUpload(state, key, uploadId);
        if (partNumber is < 1 or > MaxPartNumber)
        {
            throw S3Exception.InvalidArgument($"Part number must be an integer between 1 and {MaxPartNumber}, inclusive.");
        }

        var (temp, info) = await ReceiveAsync(key, body, ObjectHeaders.Empty, options, cancellationToken);
        using (temp)
        using (state.EnterShared())
        {
            RequireUpload(state, key, uploadId);
            try
            {
                // Replaces an earlier upload of the same part in one step, like any object.
                temp.MoveTo(PartPath(state, uploadId, partNumber));
            }
            catch (DirectoryNotFoundException)
            {
                throw S3Exception.NoSuchUpload(uploadId); // completed or aborted meanwhile
            }

            FlushDirectory(state.UploadDirectory(uploadId));
        }

        return new PartInfo(partNumber, info.Size, info.ETag, info.LastModified) { Checksums = info.Checksums };
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The object gets the headers given to CreateMultipartUpload; <paramref name="options"/>
    /// contributes only its preconditions and BeforeCommit, whose MD5 is of the whole object
    /// (computed only when BeforeCommit is set).
    /// </remarks>
    public async Task<ObjectInfo> CompleteMultipartUploadAsync(string bucket, string key, string uploadId, IReadOnlyList<CompletedPart> parts, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(options);
        var state = RequireBucket(bucket);
        var upload = RequireUpload(state, key, uploadId);
        if (parts.Count == 0)
        {
            throw S3Exception.MalformedXml("CompleteMultipartUpload must name at least one part.");
        }

        for (var i = 1; i < parts.Count; i++)
        {
            if (parts[i].PartNumber <= parts[i - 1].PartNumber)
            {
                throw StorageErrors.InvalidPartOrder();
            }
        }

        var opened = new List<(SafeFileHandle File, StoredObject Part)>(parts.Count);
        try
        {
            // Each part is read through the handle opened here, so a part uploaded again
            // meanwhile cannot mix into this object.
            foreach (var part in parts)
            {
                opened.Add(OpenPart(state, uploadId, part));
            }

            for (var i = 0; i < opened.Count - 1; i++)
            {
                if (opened[i].Part.Size < _options.MinPartSize)
                {
                    throw StorageErrors.EntityTooSmall(parts[i].PartNumber, opened[i].Part.Size, _options.MinPartSize);
                }
            }

            // The whole body's MD5 is only for BeforeCommit; without one, skip the hashing.
            using var md5 = options.BeforeCommit is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            using var temp = CreateTemp();
            foreach (var (file, part) in opened)
            {
                await temp.AppendAsync(file, 0, part.Size, md5, cancellationToken);
            }

            var info = new ObjectInfo
            {
                Key = key,
                Size = temp.Length,
                ETag = MultipartETag(opened.Select(o => o.Part.ETag)),
                LastModified = Now(),
                Headers = upload.Headers,
                Checksums = md5 is null ? NoChecksums : await VerifyAsync(options, new WrittenBody(temp.Length, md5.GetHashAndReset())),
                PartsCount = opened.Count,
            };
            temp.Seal(info, _options.Fsync);
            Commit(state, info, temp, options);
            RemoveUpload(state, uploadId);
            return info;
        }
        finally
        {
            foreach (var (file, _) in opened)
            {
                file.Dispose();
            }
        }
    }

    public void AbortMultipartUpload(string bucket, string key, string uploadId)
    {
        var state = RequireBucket(bucket);
        RequireUpload(state, key, uploadId);
        if (!RemoveUpload(state, uploadId))
        {
            throw S3Exception.NoSuchUpload(uploadId);
        }
    }

    public IReadOnlyList<PartInfo> ListParts(string bucket, string key, string uploadId)
    {
        var state = RequireBucket(bucket);
        RequireUpload(state, key, uploadId);
        var parts = new List<PartInfo>();
        try
        {
            foreach (var path in Directory.EnumerateFiles(state.UploadDirectory(uploadId), PartPrefix + "*"))
            {
                if (!int.TryParse(Path.GetFileName(path).AsSpan(PartPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    continue;
                }

                try
                {
                    if (ObjectFile.TryRead(path, out _) is { } part)
                    {
                        var info = part.ToInfo();
                        parts.Add(new PartInfo(number, info.Size, info.ETag, info.LastModified) { Checksums = info.Checksums });
                    }
                }
                catch (FileNotFoundException)
                {
                    // Removed by a concurrent complete or abort.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            throw S3Exception.NoSuchUpload(uploadId);
        }

        parts.Sort((a, b) => a.PartNumber.CompareTo(b.PartNumber));
        return parts;
    }

    public IReadOnlyList<UploadInfo> ListMultipartUploads(string bucket)
    {
        var state = RequireBucket(bucket);
        return
        [
            .. state.Uploads
                .Select(u => new UploadInfo(bucket, u.Value.Key, u.Key, u.Value.Initiated, u.Value.Headers))
                .OrderBy(u => u.Key, Utf8KeyComparer.Instance)
                .ThenBy(u => u.Initiated),
        ];
    }

    /// <summary>S3's multipart ETag: hex MD5 of the concatenated binary part MD5s, then "-" and the part count.</summary>
    internal static string MultipartETag(IEnumerable<string> partETags)
    {
        var md5s = partETags.SelectMany(Convert.FromHexString).ToArray();
        return Convert.ToHexStringLower(MD5.HashData(md5s)) + "-" + (md5s.Length / MD5.HashSizeInBytes).ToString(CultureInfo.InvariantCulture);
    }

    private static UploadState RequireUpload(BucketState state, string key, string uploadId) =>
        uploadId is not null && state.Uploads.TryGetValue(uploadId, out var upload) && upload.Key == key ? upload : throw S3Exception.NoSuchUpload(uploadId!);

    private static string PartPath(BucketState state, string uploadId, int partNumber) =>
        Path.Join(state.UploadDirectory(uploadId), PartPrefix + partNumber.ToString("D5", CultureInfo.InvariantCulture));

    private static (SafeFileHandle File, StoredObject Part) OpenPart(BucketState state, string uploadId, CompletedPart part)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(PartPath(state, uploadId, part.PartNumber), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            throw StorageErrors.InvalidPart(part.PartNumber);
        }
        catch (DirectoryNotFoundException)
        {
            throw S3Exception.NoSuchUpload(uploadId);
        }

        try
        {
            var stored = ObjectFile.TryRead(file, out var problem)
                ?? throw S3Exception.InternalError($"Part {part.PartNumber} of upload {uploadId} is damaged: {problem}.");
            return SameETag(part.ETag ?? "", stored.ETag) ? (file, stored) : throw StorageErrors.InvalidPart(part.PartNumber);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Forgets an upload and removes its folder; false when it was already gone.</summary>
    private bool RemoveUpload(BucketState state, string uploadId)
    {
        if (!state.Uploads.TryRemove(uploadId, out _))
        {
            return false;
        }

        // Renamed away first: a part being renamed in at this moment then fails (NoSuchUpload)
        // or goes with the folder, and never lands in a half-deleted one.
        var grave = Path.Join(_tmpDirectory, uploadId + ".deleted");
        try
        {
            Directory.Move(state.UploadDirectory(uploadId), grave);
            FlushDirectory(state.UploadsDirectory);
        }
        catch (DirectoryNotFoundException)
        {
            return true; // the bucket was deleted with it
        }

        FileSync.TryDeleteDirectory(grave);
        return true;
    }

    private List<KeyValuePair<string, UploadState>> LoadUploads(string uploadsDirectory)
    {
        var uploads = new List<KeyValuePair<string, UploadState>>();
        foreach (var directory in Directory.CreateDirectory(uploadsDirectory).EnumerateDirectories())
        {
            var uploadId = directory.Name;
            try
            {
                if (uploadId.Length != 32 || !uploadId.All(char.IsAsciiHexDigitLower))
                {
                    StorageLog.UploadSkipped(_logger, directory.FullName, "its name is not an upload id");
                    continue;
                }

                var stored = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Join(directory.FullName, UploadFile)), StorageJson.Default.StoredUpload)
                    ?? throw new JsonException("upload.json is null");
                uploads.Add(KeyValuePair.Create(uploadId, new UploadState(stored.Key, stored.Initiated, stored.Headers ?? ObjectHeaders.Empty)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                StorageLog.UploadSkipped(_logger, directory.FullName, e.Message);
            }
        }

        return uploads;
    }
}

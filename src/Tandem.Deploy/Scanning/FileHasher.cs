using System.Buffers;
using System.Security.Cryptography;

namespace Tandem.Deploy.Scanning;

/// <summary>
/// MD5 of a file and the ETag an S3 service will report for it: the quoted MD5 for a single PUT,
/// or S3's multipart form (MD5 of the parts' MD5s, "-N") for files uploaded in parts. Hand-written:
/// the SDK's TransferUtility picks its own part size and computes no ETag ahead of the upload,
/// and the deploy needs the ETag before uploading to know whether it must.
/// </summary>
public static class FileHasher
{
    /// <summary>Files larger than this are uploaded in parts (S3 allows a 5 GiB single PUT; parts keep retries small).</summary>
    public const long MultipartThreshold = 64L * 1024 * 1024;

    /// <summary>Size of every part but the last.</summary>
    public const long PartSize = 16L * 1024 * 1024;

    public static bool IsMultipart(long size) => size > MultipartThreshold;

    public static int PartCount(long size) => (int)((size + PartSize - 1) / PartSize);

    /// <summary>Reads the file once and returns its MD5 (hex) and expected ETag (quoted).</summary>
    public static (string Md5, string ETag) Hash(string path, long size)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var part = IsMultipart(size) ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        using var partDigests = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long inPart = 0;
            int n;
            while ((n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, part is null ? buffer.Length : PartSize - inPart))) > 0)
            {
                whole.AppendData(buffer, 0, n);
                if (part is not null)
                {
                    part.AppendData(buffer, 0, n);
                    inPart += n;
                    if (inPart == PartSize)
                    {
                        partDigests.Write(part.GetHashAndReset());
                        inPart = 0;
                    }
                }
            }

            var md5 = Convert.ToHexStringLower(whole.GetHashAndReset());
            if (part is null)
            {
                return (md5, $"\"{md5}\"");
            }

            if (inPart > 0)
            {
                partDigests.Write(part.GetHashAndReset());
            }

            var parts = (int)(partDigests.Length / 16);
            return (md5, $"\"{Convert.ToHexStringLower(MD5.HashData(partDigests.ToArray()))}-{parts}\"");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

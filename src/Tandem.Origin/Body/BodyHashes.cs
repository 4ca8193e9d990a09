using System.Security.Cryptography;

namespace Tandem.Origin.Body;

/// <summary>The digests one request asked for, fed with the decoded object bytes as they pass.</summary>
internal sealed class BodyHashes : IDisposable
{
    public BodyHashes(bool md5, bool sha256, ChecksumAlgorithm? checksum)
    {
        Md5 = md5 ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        Sha256 = sha256 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        Checksum = checksum is { } algorithm ? new Checksum(algorithm) : null;
    }

    public IncrementalHash? Md5 { get; }

    public IncrementalHash? Sha256 { get; }

    public Checksum? Checksum { get; }

    /// <summary>Object bytes seen so far.</summary>
    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        Md5?.AppendData(data);
        Sha256?.AppendData(data);
        Checksum?.Append(data);
        Length += data.Length;
    }

    public void Dispose()
    {
        Md5?.Dispose();
        Sha256?.Dispose();
        Checksum?.Dispose();
    }
}

using System.Security.Cryptography;

namespace Tandem.Origin.Body;

/// <summary>
/// The object bytes of a request body and the checks to make once they are all read. Framing
/// and signature errors surface from the stream's reads; digest mismatches from <see cref="Verify"/>.
/// </summary>
/// <remarks>
/// Bytes are handed out as they arrive, before the chunk signature or checksum that covers them
/// is checked. Write them where nothing can see them and make the object visible only after the
/// stream reached its end and <see cref="Verify"/> returned.
/// </remarks>
public sealed class DecodedBody : IDisposable
{
    private readonly DecodingStream _stream;
    private readonly BodyHashes _hashes;
    private readonly byte[]? _expectedMd5;
    private readonly string? _expectedSha256;
    private readonly string? _headerChecksum;
    private readonly string? _announcedTrailer;

    internal DecodedBody(DecodingStream stream, BodyHashes hashes, long? declaredLength, byte[]? expectedMd5, string? expectedSha256, string? headerChecksum, string? announcedTrailer)
    {
        _stream = stream;
        _hashes = hashes;
        DeclaredLength = declaredLength;
        _expectedMd5 = expectedMd5;
        _expectedSha256 = expectedSha256;
        _headerChecksum = headerChecksum;
        _announcedTrailer = announcedTrailer;
    }

    /// <summary>The object bytes. Read it to the end; malformed framing throws <see cref="S3Exception"/> from the reads.</summary>
    public Stream Stream => _stream;

    /// <summary>x-amz-decoded-content-length for aws-chunked bodies, Content-Length for plain ones; null when not sent.</summary>
    public long? DeclaredLength { get; }

    /// <summary>Object bytes read so far.</summary>
    public long Length => _hashes.Length;

    /// <summary>The checksum algorithm the request asked for (in a header or a trailer), if any.</summary>
    public ChecksumAlgorithm? ChecksumAlgorithm => _hashes.Checksum?.Algorithm;

    /// <summary>
    /// Call once <see cref="Stream"/> has been read to its end. Checks Content-MD5, then a hex
    /// x-amz-content-sha256, then the x-amz-checksum-* value from a header or the trailer, and
    /// returns the verified checksums to store: S3's algorithm name ("CRC32") to base64 value.
    /// </summary>
    public IReadOnlyDictionary<string, string> Verify()
    {
        if (!_stream.Completed)
        {
            throw new InvalidOperationException("Verify needs the body read to its end first.");
        }

        if (_expectedMd5 is not null)
        {
            var md5 = _hashes.Md5!.GetCurrentHash();
            if (!CryptographicOperations.FixedTimeEquals(md5, _expectedMd5))
            {
                throw BodyErrors.Md5Mismatch(Convert.ToBase64String(_expectedMd5), Convert.ToBase64String(md5));
            }
        }

        if (_expectedSha256 is not null)
        {
            var sha256 = _hashes.Sha256!.GetCurrentHash();
            if (!CryptographicOperations.FixedTimeEquals(sha256, Convert.FromHexString(_expectedSha256)))
            {
                throw BodyErrors.Sha256Mismatch(_expectedSha256, Convert.ToHexStringLower(sha256));
            }
        }

        var checksums = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_hashes.Checksum is { } checksum)
        {
            var expected = _headerChecksum ?? _stream.TrailerChecksum
                ?? throw BodyErrors.MalformedTrailer($"x-amz-trailer announced \"{_announcedTrailer}\" but the body has no such trailer.");
            var actual = checksum.GetCurrentHash();
            if (!CryptographicOperations.FixedTimeEquals(actual, Convert.FromBase64String(expected)))
            {
                throw BodyErrors.ChecksumMismatch(checksum.Name);
            }

            checksums[checksum.Name] = Convert.ToBase64String(actual);
        }

        return checksums;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _hashes.Dispose();
    }
}

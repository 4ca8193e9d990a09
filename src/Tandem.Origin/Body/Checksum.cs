using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Tandem.Origin.Body;

/// <summary>The checksum algorithms of S3's x-amz-checksum-* headers.</summary>
public enum ChecksumAlgorithm
{
    Crc32,
    Crc32C,
    Crc64Nvme,
    Sha1,
    Sha256,
}

/// <summary>
/// An incremental S3 checksum. Values are in S3's form: the big-endian bytes of the CRC (or the
/// digest), base64-encoded, as in x-amz-checksum-crc32: y/Q5Jg==.
/// </summary>
public sealed class Checksum : IDisposable
{
    private readonly Crc32? _crc32;
    private readonly Crc32C? _crc32C;
    private readonly Crc64Nvme? _crc64;
    private readonly IncrementalHash? _hash;

    public Checksum(ChecksumAlgorithm algorithm)
    {
        Algorithm = algorithm;
        switch (algorithm)
        {
            case ChecksumAlgorithm.Crc32:
                _crc32 = new Crc32();
                break;
            case ChecksumAlgorithm.Crc32C:
                _crc32C = new Crc32C();
                break;
            case ChecksumAlgorithm.Crc64Nvme:
                _crc64 = new Crc64Nvme();
                break;
            case ChecksumAlgorithm.Sha1:
                _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                break;
            case ChecksumAlgorithm.Sha256:
                _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown checksum algorithm");
        }
    }

    public ChecksumAlgorithm Algorithm { get; }

    /// <summary>S3's name of the algorithm: "CRC32", "CRC32C", "CRC64NVME", "SHA1" or "SHA256".</summary>
    public string Name => GetName(Algorithm);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_crc32 is not null)
        {
            _crc32.Append(data);
        }
        else if (_crc32C is not null)
        {
            _crc32C.Append(data);
        }
        else if (_crc64 is not null)
        {
            _crc64.Append(data);
        }
        else
        {
            _hash!.AppendData(data);
        }
    }

    /// <summary>The checksum of everything appended so far, as bytes in S3's (big-endian) order.</summary>
    public byte[] GetCurrentHash()
    {
        var bytes = new byte[GetHashSize(Algorithm)];
        if (_crc32 is not null)
        {
            // System.IO.Hashing writes CRC-32 little-endian; S3 sends the big-endian bytes.
            BinaryPrimitives.WriteUInt32BigEndian(bytes, _crc32.GetCurrentHashAsUInt32());
        }
        else if (_crc32C is not null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, _crc32C.Value);
        }
        else if (_crc64 is not null)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes, _crc64.Value);
        }
        else
        {
            _hash!.GetCurrentHash(bytes);
        }

        return bytes;
    }

    /// <summary>The checksum of everything appended so far, base64-encoded as S3 sends it.</summary>
    public string GetBase64() => Convert.ToBase64String(GetCurrentHash());

    /// <summary>The base64 checksum of <paramref name="data"/>.</summary>
    public static string Compute(ChecksumAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        using var checksum = new Checksum(algorithm);
        checksum.Append(data);
        return checksum.GetBase64();
    }

    /// <summary>Digest size in bytes: 4 for the CRC-32s, 8 for CRC-64, 20 for SHA-1, 32 for SHA-256.</summary>
    public static int GetHashSize(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 or ChecksumAlgorithm.Crc32C => 4,
        ChecksumAlgorithm.Crc64Nvme => 8,
        ChecksumAlgorithm.Sha1 => 20,
        ChecksumAlgorithm.Sha256 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown checksum algorithm"),
    };

    /// <summary>S3's upper-case name: "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256".</summary>
    public static string GetName(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Crc32 => "CRC32",
        ChecksumAlgorithm.Crc32C => "CRC32C",
        ChecksumAlgorithm.Crc64Nvme => "CRC64NVME",
        ChecksumAlgorithm.Sha1 => "SHA1",
        ChecksumAlgorithm.Sha256 => "SHA256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown checksum algorithm"),
    };

    /// <summary>The header (and trailer) that carries the checksum: "x-amz-checksum-crc32" and so on.</summary>
    public static string GetHeaderName(ChecksumAlgorithm algorithm) => "x-amz-checksum-" + GetName(algorithm).ToLowerInvariant();

    /// <summary>Parses an algorithm name in any case: "crc64nvme", "CRC64NVME", "Sha256"...</summary>
    public static bool TryParseName([NotNullWhen(true)] string? name, out ChecksumAlgorithm algorithm)
    {
        foreach (var candidate in Enum.GetValues<ChecksumAlgorithm>())
        {
            if (string.Equals(GetName(candidate), name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                algorithm = candidate;
                return true;
            }
        }

        algorithm = default;
        return false;
    }

    /// <summary>Parses a header name such as "x-amz-checksum-crc32c" (any case) to its algorithm.</summary>
    public static bool TryParseHeaderName([NotNullWhen(true)] string? headerName, out ChecksumAlgorithm algorithm)
    {
        const string Prefix = "x-amz-checksum-";
        algorithm = default;
        var trimmed = headerName?.Trim();
        return trimmed is not null && trimmed.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && TryParseName(trimmed[Prefix.Length..], out algorithm);
    }

    /// <summary>True when <paramref name="base64"/> is a well-formed value of the algorithm: canonical base64 of exactly its digest size.</summary>
    public static bool IsWellFormed(ChecksumAlgorithm algorithm, string? base64)
    {
        if (base64 is null)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[32];
        var size = GetHashSize(algorithm);
        return base64.Length == ((size + 2) / 3 * 4)
            && Convert.TryFromBase64String(base64, bytes, out var written)
            && written == size;
    }

    public void Dispose() => _hash?.Dispose();
}

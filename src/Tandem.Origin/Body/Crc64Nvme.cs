using System.Buffers.Binary;

namespace Tandem.Origin.Body;

/// <summary>
/// CRC-64/NVME, the default checksum of AWS CLI v2 uploads: polynomial 0xAD93D23594C93659
/// (0x9A6C9329AC4BC9B5 reflected), reflected in and out, initial value and final xor all ones;
/// "123456789" gives 0xAE8B14860A799888. Written here because System.IO.Hashing 10's Crc64 is
/// ECMA-182 only (the NVMe parameter set arrives in .NET 11). Slicing-by-8 table.
/// </summary>
internal sealed class Crc64Nvme
{
    private const ulong Polynomial = 0x9A6C9329AC4BC9B5;
    private static readonly ulong[] Table = CrcTable.BuildSlicing8(Polynomial);

    private ulong _crc = ulong.MaxValue;

    /// <summary>The CRC of everything appended so far.</summary>
    public ulong Value => ~_crc;

    public void Append(ReadOnlySpan<byte> data) => _crc = Update(_crc, data);

    public void Reset() => _crc = ulong.MaxValue;

    public static ulong Compute(ReadOnlySpan<byte> data) => ~Update(ulong.MaxValue, data);

    internal static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        var t = Table;
        while (data.Length >= 8)
        {
            crc ^= BinaryPrimitives.ReadUInt64LittleEndian(data);
            crc = t[(7 * 256) + (crc & 0xFF)] ^ t[(6 * 256) + ((crc >> 8) & 0xFF)] ^ t[(5 * 256) + ((crc >> 16) & 0xFF)] ^ t[(4 * 256) + ((crc >> 24) & 0xFF)]
                ^ t[(3 * 256) + ((crc >> 32) & 0xFF)] ^ t[(2 * 256) + ((crc >> 40) & 0xFF)] ^ t[256 + ((crc >> 48) & 0xFF)] ^ t[crc >> 56];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }
}

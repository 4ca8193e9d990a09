using System.Text;
using Tandem.Origin.Body;

namespace Tandem.Tests.Origin.Body;

public class ChecksumTests
{
    private static readonly byte[] Check = Encoding.ASCII.GetBytes("123456789");

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "cbf43926")]
    [InlineData(ChecksumAlgorithm.Crc32C, "e3069283")]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "ae8b14860a799888")]
    [InlineData(ChecksumAlgorithm.Sha1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441")]
    [InlineData(ChecksumAlgorithm.Sha256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225")]
    public void Compute_CheckString_PublishedCheckValueBigEndianInBase64(ChecksumAlgorithm algorithm, string hex)
    {
        Assert.Equal(Convert.ToBase64String(Convert.FromHexString(hex)), Checksum.Compute(algorithm, Check));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "y/Q5Jg==")]
    [InlineData(ChecksumAlgorithm.Crc32C, "4waSgw==")]
    public void Compute_CheckString_MatchesS3Form(ChecksumAlgorithm algorithm, string expected)
    {
        Assert.Equal(expected, Checksum.Compute(algorithm, Check));
    }

    [Fact]
    public void Compute_AwsTrailerExampleData_MatchesDocumentedCrc32C()
    {
        // The "PUT Object in chunks with a trailing header" example: 66560 bytes of 'a'.
        Assert.Equal("sOO8/Q==", Checksum.Compute(ChecksumAlgorithm.Crc32C, Enumerable.Repeat((byte)'a', 66560).ToArray()));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "AAAAAA==")]
    [InlineData(ChecksumAlgorithm.Crc32C, "AAAAAA==")]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "AAAAAAAAAAA=")]
    [InlineData(ChecksumAlgorithm.Sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")]
    public void Compute_NoBytes_EmptyValue(ChecksumAlgorithm algorithm, string expected)
    {
        Assert.Equal(expected, Checksum.Compute(algorithm, []));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32)]
    [InlineData(ChecksumAlgorithm.Crc32C)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme)]
    [InlineData(ChecksumAlgorithm.Sha1)]
    [InlineData(ChecksumAlgorithm.Sha256)]
    public void Append_InRandomPieces_SameAsOneShot(ChecksumAlgorithm algorithm)
    {
        var data = BodyTestKit.Data(100_003, seed: (int)algorithm);
        var random = new Random(7);
        using var checksum = new Checksum(algorithm);
        for (var i = 0; i < data.Length;)
        {
            var n = Math.Min(random.Next(0, 40), data.Length - i);
            checksum.Append(data.AsSpan(i, n));
            i += n;
        }

        Assert.Equal(Checksum.Compute(algorithm, data), checksum.GetBase64());
        Assert.Equal(checksum.GetBase64(), checksum.GetBase64());
    }

    [Fact]
    public void Crc32C_HardwareAndTable_AgreeWithBitwiseDefinition()
    {
        var random = new Random(3);
        for (var length = 0; length < 300; length++)
        {
            var data = BodyTestKit.Data(length, seed: length);
            var expected = BitwiseCrc32C(data);
            Assert.Equal(expected, Crc32C.Compute(data));
            Assert.Equal(expected, ~Crc32C.UpdateSoftware(uint.MaxValue, data));
            var split = random.Next(0, length + 1);
            Assert.Equal(expected, ~Crc32C.UpdateSoftware(Crc32C.Update(uint.MaxValue, data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    [Fact]
    public void Crc64Nvme_Table_AgreesWithBitwiseDefinition()
    {
        for (var length = 0; length < 300; length++)
        {
            var data = BodyTestKit.Data(length, seed: length);
            Assert.Equal(BitwiseCrc64Nvme(data), Crc64Nvme.Compute(data));
        }
    }

    [Theory]
    [InlineData("crc32", ChecksumAlgorithm.Crc32)]
    [InlineData("CRC32C", ChecksumAlgorithm.Crc32C)]
    [InlineData("crc64nvme", ChecksumAlgorithm.Crc64Nvme)]
    [InlineData("CRC64NVME", ChecksumAlgorithm.Crc64Nvme)]
    [InlineData("Sha1", ChecksumAlgorithm.Sha1)]
    [InlineData(" SHA256 ", ChecksumAlgorithm.Sha256)]
    public void TryParseName_AnyCase_Parses(string name, ChecksumAlgorithm expected)
    {
        Assert.True(Checksum.TryParseName(name, out var algorithm));
        Assert.Equal(expected, algorithm);
    }

    [Theory]
    [InlineData("md5")]
    [InlineData("crc64")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParseName_Unknown_False(string? name)
    {
        Assert.False(Checksum.TryParseName(name, out _));
    }

    [Fact]
    public void TryParseHeaderName_ChecksumHeaders_ParsesAndRejectsOthers()
    {
        Assert.True(Checksum.TryParseHeaderName("X-Amz-Checksum-CRC64NVME", out var algorithm));
        Assert.Equal(ChecksumAlgorithm.Crc64Nvme, algorithm);
        Assert.False(Checksum.TryParseHeaderName("x-amz-checksum-type", out _));
        Assert.False(Checksum.TryParseHeaderName("x-amz-meta-crc32", out _));
        Assert.Equal("x-amz-checksum-crc32c", Checksum.GetHeaderName(ChecksumAlgorithm.Crc32C));
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Crc32, "y/Q5Jg==", true)]
    [InlineData(ChecksumAlgorithm.Crc32, "y/Q5Jg", false)]
    [InlineData(ChecksumAlgorithm.Crc32, "cbf43926", false)]
    [InlineData(ChecksumAlgorithm.Crc32, "AAAAAAAAAAA=", false)]
    [InlineData(ChecksumAlgorithm.Crc64Nvme, "AAAAAAAAAAA=", true)]
    [InlineData(ChecksumAlgorithm.Sha256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", true)]
    [InlineData(ChecksumAlgorithm.Sha1, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", false)]
    [InlineData(ChecksumAlgorithm.Sha1, "not base64!", false)]
    public void IsWellFormed_Value_ChecksLengthAndBase64(ChecksumAlgorithm algorithm, string value, bool expected)
    {
        Assert.Equal(expected, Checksum.IsWellFormed(algorithm, value));
    }

    // The definitions, one bit at a time, to check the table-driven and hardware versions against.
    private static uint BitwiseCrc32C(byte[] data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
        }

        return ~crc;
    }

    private static ulong BitwiseCrc64Nvme(byte[] data)
    {
        // Polynomial 0xAD93D23594C93659, bit-reversed for the reflected form.
        ulong reflected = 0;
        for (var i = 0; i < 64; i++)
        {
            if ((0xAD93D23594C93659UL & (1UL << i)) != 0)
            {
                reflected |= 1UL << (63 - i);
            }
        }

        var crc = ulong.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ reflected : crc >> 1;
            }
        }

        return ~crc;
    }
}

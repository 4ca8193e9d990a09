using System.Numerics;

namespace Tandem.Origin.Body;

/// <summary>Slicing-by-8 lookup tables for a reflected CRC, shared by the 32- and 64-bit CRCs.</summary>
internal static class CrcTable
{
    /// <summary>
    /// Eight tables of 256 entries back to back: table 0 is the classic byte-at-a-time table,
    /// table k advances a byte's contribution by k further zero bytes.
    /// </summary>
    public static T[] BuildSlicing8<T>(T reflectedPolynomial)
        where T : IBinaryInteger<T>, IUnsignedNumber<T>
    {
        var table = new T[8 * 256];
        for (var i = 0; i < 256; i++)
        {
            var c = T.CreateTruncating(i);
            for (var k = 0; k < 8; k++)
            {
                c = T.IsOddInteger(c) ? (c >>> 1) ^ reflectedPolynomial : c >>> 1;
            }

            table[i] = c;
        }

        for (var s = 1; s < 8; s++)
        {
            for (var i = 0; i < 256; i++)
            {
                var prev = table[((s - 1) * 256) + i];
                table[(s * 256) + i] = (prev >>> 8) ^ table[int.CreateTruncating(prev & T.CreateTruncating(0xFF))];
            }
        }

        return table;
    }
}

using System.Text;

namespace Tandem.Deploy.Origins;

/// <summary>S3 lists keys in the byte order of their UTF-8 form, which differs from UTF-16 ordinal order past U+E000.</summary>
public static class Utf8Order
{
    public static int Compare(string? a, string? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        Span<byte> x = a.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(a.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(a.Length)];
        Span<byte> y = b.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(b.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(b.Length)];
        var nx = Encoding.UTF8.GetBytes(a, x);
        var ny = Encoding.UTF8.GetBytes(b, y);
        return x[..nx].SequenceCompareTo(y[..ny]);
    }
}

using System.Security.Cryptography;

namespace Tandem.Origin.Website;

/// <summary>x-amz-request-id values: 16 upper-case hex digits like S3's, unique within a process.</summary>
internal static class RequestIds
{
    // A random start keeps ids of two origin processes (or a restart) from lining up in logs.
    private static long _next = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & 0x7FFF_FFFF_0000_0000;

    public static string Next() => string.Create(16, Interlocked.Increment(ref _next), static (span, id) => id.TryFormat(span, out _, "X16"));
}

using System.Text;

namespace Tandem.Origin.Website;

/// <summary>Stored header values made safe to send.</summary>
internal static class HeaderValues
{
    /// <summary>
    /// The value as is when it is printable ASCII; otherwise RFC 2047 "=?UTF-8?B?...?=", which is
    /// how S3 returns non-ASCII metadata (Kestrel refuses raw non-ASCII or control characters).
    /// </summary>
    public static string Safe(string value) =>
        IsPlain(value) ? value : "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "?=";

    /// <summary>True when the value can be sent without encoding.</summary>
    public static bool IsPlain(string value) => value.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0;
}

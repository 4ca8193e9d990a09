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

    /// <summary>
    /// A Location value as sent: printable ASCII stays (it is already a URI reference), anything
    /// else, such as a non-ASCII x-amz-website-redirect-location, is percent-encoded as UTF-8.
    /// </summary>
    public static string Location(string value)
    {
        if (IsPlain(value) && !value.Contains(' '))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is > (byte)' ' and <= (byte)'~')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2"));
            }
        }

        return builder.ToString();
    }

    /// <summary>True when the value can be sent without encoding.</summary>
    public static bool IsPlain(string value) => value.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0;
}

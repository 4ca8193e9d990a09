using System.Globalization;

namespace Tandem.Core.Http;

/// <summary>HTTP dates (RFC 9110 section 5.6.7): IMF-fixdate out, all three historic forms in.</summary>
public static class HttpDate
{
    // IMF-fixdate first (what every current client sends), then RFC 850 and asctime, which a
    // recipient must still accept (RFC 9110 5.6.7).
    private static readonly string[] Formats =
    [
        "r",
        "dddd, dd'-'MMM'-'yy HH':'mm':'ss 'GMT'",
        "ddd MMM d HH':'mm':'ss yyyy",
    ];

    /// <summary>Formats <paramref name="value"/> as an IMF-fixdate, such as "Sun, 06 Nov 1994 08:49:37 GMT".</summary>
    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    /// <summary>Parses an HTTP date; false for anything else (the header is then ignored, as RFC 9110 asks).</summary>
    public static bool TryParse(ReadOnlySpan<char> value, out DateTimeOffset result)
    {
        value = value.Trim();
        const DateTimeStyles styles = DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowInnerWhite;
        return DateTimeOffset.TryParseExact(value, Formats, CultureInfo.InvariantCulture, styles, out result);
    }

    /// <summary>Drops the sub-second part: HTTP dates carry whole seconds, so comparisons must too.</summary>
    public static DateTimeOffset TruncateToSeconds(DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), value.Offset);
}

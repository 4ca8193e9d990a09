namespace Tandem.Core.Http;

/// <summary>What the preconditions of a GET or HEAD ask the server to do.</summary>
public enum PreconditionResult
{
    /// <summary>Send the representation (200, or 206 for a range).</summary>
    Proceed,

    /// <summary>304: the client's copy is current.</summary>
    NotModified,

    /// <summary>412: If-Match or If-Unmodified-Since did not hold.</summary>
    PreconditionFailed,
}

/// <summary>
/// Conditional requests (RFC 9110 section 13) for GET and HEAD, as plain code over header text so
/// that the origin's website endpoint and the edge decide the same way.
/// </summary>
public static class HttpConditions
{
    /// <summary>
    /// Evaluates the four preconditions in the order of RFC 9110 section 13.2.2: If-Match, else
    /// If-Unmodified-Since; then If-None-Match, else If-Modified-Since. So If-None-Match wins over
    /// If-Modified-Since (S3's REST API answers differently in one mixed case; we follow the RFC).
    /// Unparseable dates are ignored, as the RFC asks.
    /// </summary>
    /// <param name="entityTag">The current tag in header form, such as "\"abc\"".</param>
    /// <param name="lastModified">The current Last-Modified; compared in whole seconds.</param>
    public static PreconditionResult Evaluate(
        string? ifMatch,
        string? ifNoneMatch,
        string? ifModifiedSince,
        string? ifUnmodifiedSince,
        string entityTag,
        DateTimeOffset lastModified)
    {
        if (!string.IsNullOrEmpty(ifMatch))
        {
            if (!EntityTag.ListMatches(ifMatch, entityTag, strong: true))
            {
                return PreconditionResult.PreconditionFailed;
            }
        }
        else if (!string.IsNullOrEmpty(ifUnmodifiedSince) && HttpDate.TryParse(ifUnmodifiedSince, out var unmodifiedSince)
            && HttpDate.TruncateToSeconds(lastModified) > unmodifiedSince)
        {
            return PreconditionResult.PreconditionFailed;
        }

        if (!string.IsNullOrEmpty(ifNoneMatch))
        {
            return EntityTag.ListMatches(ifNoneMatch, entityTag, strong: false) ? PreconditionResult.NotModified : PreconditionResult.Proceed;
        }

        if (!string.IsNullOrEmpty(ifModifiedSince) && HttpDate.TryParse(ifModifiedSince, out var modifiedSince)
            && HttpDate.TruncateToSeconds(lastModified) <= modifiedSince)
        {
            return PreconditionResult.NotModified;
        }

        return PreconditionResult.Proceed;
    }

    /// <summary>
    /// If-Range (RFC 9110 section 13.1.5): true when the Range header may be honoured: no If-Range,
    /// a strong tag equal to <paramref name="entityTag"/>, or a date equal to <paramref name="lastModified"/>.
    /// </summary>
    public static bool IfRangeHolds(string? ifRange, string entityTag, DateTimeOffset lastModified)
    {
        if (string.IsNullOrWhiteSpace(ifRange))
        {
            return true;
        }

        var value = ifRange.AsSpan().Trim();
        if (value[0] == '"' || value.StartsWith("W/"))
        {
            return EntityTag.StrongEquals(value, entityTag);
        }

        return HttpDate.TryParse(value, out var date) && HttpDate.TruncateToSeconds(lastModified) == date;
    }
}

namespace Tandem.Edge.Releases;

/// <summary>Which release answers one request, and whether the answer pins the visitor to it.</summary>
internal readonly record struct PinDecision(ReleaseView? Release, bool SetCookie);

/// <summary>
/// Release pinning, as Vercel's skew protection does it: a page (a navigation) always comes from
/// the live release and sets a cookie naming it; the page's assets, asked for with that cookie,
/// come from the same release even when a deploy or rollback switched the live one meanwhile.
/// A cookie naming a release the edge does not know (any more) is ignored.
/// </summary>
internal static class ReleasePin
{
    public const string CookieName = "tandem_release";

    public const string Header = "X-Tandem-Release";

    /// <param name="live">The live release, or null (then nothing is pinned).</param>
    /// <param name="pinSeconds">distribution.releasePinSeconds; 0 turns pinning off.</param>
    /// <param name="path">The visitor's decoded path.</param>
    /// <param name="secFetchDest">The Sec-Fetch-Dest header, or empty.</param>
    /// <param name="accept">The Accept header, or empty.</param>
    /// <param name="cookie">The Cookie header, or empty.</param>
    /// <param name="known">Looks up a release the edge still holds, by id.</param>
    public static PinDecision Decide(ReleaseView? live, int pinSeconds, string path, string? secFetchDest, string? accept, string? cookie, Func<string, ReleaseView?> known)
    {
        if (live is null || pinSeconds <= 0)
        {
            return new PinDecision(live, false);
        }

        if (IsNavigation(path, secFetchDest, accept))
        {
            return new PinDecision(live, true);
        }

        if (CookieValue(cookie) is { } id && id != live.Id && known(id) is { } pinned)
        {
            return new PinDecision(pinned, false);
        }

        return new PinDecision(live, false);
    }

    /// <summary>A page load: Sec-Fetch-Dest: document, Accept naming text/html, or a path ending in ".html" or "/".</summary>
    public static bool IsNavigation(string path, string? secFetchDest, string? accept) =>
        string.Equals(secFetchDest, "document", StringComparison.OrdinalIgnoreCase)
        || (accept is not null && accept.Contains("text/html", StringComparison.OrdinalIgnoreCase))
        || path.EndsWith('/')
        || path.EndsWith(".html", StringComparison.OrdinalIgnoreCase);

    /// <summary>The value of the tandem_release cookie when it is a well-formed release id; else null.</summary>
    public static string? CookieValue(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie))
        {
            return null;
        }

        var span = cookie.AsSpan();
        while (!span.IsEmpty)
        {
            var end = span.IndexOf(';');
            var pair = (end < 0 ? span : span[..end]).Trim();
            span = end < 0 ? default : span[(end + 1)..];
            var eq = pair.IndexOf('=');
            if (eq > 0 && pair[..eq].Trim().SequenceEqual(CookieName))
            {
                var value = pair[(eq + 1)..].Trim().Trim('"').ToString();
                return Tandem.Core.Releases.ReleaseLayout.IsReleaseId(value) ? value : null;
            }
        }

        return null;
    }

    /// <summary>The Set-Cookie value pinning a visitor to <paramref name="id"/>.</summary>
    public static string SetCookie(string id, int pinSeconds) =>
        $"{CookieName}={id}; Path=/; Max-Age={pinSeconds}; HttpOnly; SameSite=Lax";
}

namespace Tandem.Edge.Releases;

/// <summary>Takes a release's folder out of a redirect an origin's website endpoint made.</summary>
internal static class ReleaseRedirect
{
    /// <summary>
    /// "/P releases/ID/dir/" becomes "/dir/"; an absolute URL whose path starts so becomes that
    /// path (the visitor stays on the edge's host). Any other Location is returned as it is.
    /// </summary>
    public static string Strip(string location, string releasePrefix)
    {
        if (location.StartsWith(releasePrefix + "/", StringComparison.Ordinal))
        {
            return location[releasePrefix.Length..];
        }

        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            var rest = uri.PathAndQuery;
            if (rest.StartsWith(releasePrefix + "/", StringComparison.Ordinal))
            {
                return rest[releasePrefix.Length..];
            }
        }

        return location;
    }
}

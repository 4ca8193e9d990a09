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

    /// <summary>
    /// True when a redirect an origin's website endpoint sent for a file of a release says the file
    /// is missing: deploy's routing rules send a missing key under "P releases/" to the live release's
    /// error document, which an edge must answer as 404 (so failover and custom error responses apply).
    /// The one redirect a website endpoint makes by itself within a release, "dir" to "dir/", is not.
    /// </summary>
    /// <param name="location">The Location the origin sent.</param>
    /// <param name="pathPrefix">The origin's URL path before every key ("" or "/originPath").</param>
    /// <param name="releasesFolder">"/P releases/" of that origin.</param>
    /// <param name="target">The target asked for ("/P releases/ID/dir?q").</param>
    public static bool IsMissingFile(string location, string pathPrefix, string releasesFolder, string target)
    {
        var path = Uri.TryCreate(location, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.AbsolutePath
            : location.Split('?', 2)[0];
        if (pathPrefix.Length > 0 && path.StartsWith(pathPrefix + "/", StringComparison.Ordinal))
        {
            path = path[pathPrefix.Length..];
        }

        var asked = target.Split('?', 2)[0];
        return path.StartsWith(releasesFolder, StringComparison.Ordinal) && path != asked + "/";
    }
}

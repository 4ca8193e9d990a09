namespace Tandem.Edge.Caching;

/// <summary>Which response header fields a stored response keeps, and how a 304 updates them.</summary>
internal static class StoredFields
{
    // Hop-by-hop fields (RFC 9110 7.6.1) describe one connection, not the response. Age is
    // computed again when the response is served; Content-Length is written from the body.
    private static readonly HashSet<string> NeverStored = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Proxy-Authenticate", "Proxy-Authentication-Info", "Age", "Content-Length",
    };

    // A 304 must not change what the stored body is (RFC 9111 3.2).
    private static readonly HashSet<string> NotUpdated = new(StringComparer.OrdinalIgnoreCase) { "Content-Encoding" };

    /// <summary>The fields of <paramref name="headers"/> worth storing, in order.</summary>
    public static KeyValuePair<string, string>[] Filter(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var list = headers as IReadOnlyCollection<KeyValuePair<string, string>> ?? [.. headers];
        var named = ConnectionOptions(list);
        var kept = new List<KeyValuePair<string, string>>(list.Count);
        foreach (var field in list)
        {
            if (!NeverStored.Contains(field.Key) && (named is null || !named.Contains(field.Key)))
            {
                kept.Add(field);
            }
        }

        return [.. kept];
    }

    /// <summary>
    /// The stored fields updated by a 304 (RFC 9111 3.2): each field the 304 carries replaces
    /// every stored line of that name, except fields that are never stored or describe the body.
    /// </summary>
    public static KeyValuePair<string, string>[] Merge(ResponseHeaders stored, ResponseHeaders notModified)
    {
        var updates = Filter(notModified).Where(field => !NotUpdated.Contains(field.Key)).ToArray();
        var replaced = new HashSet<string>(updates.Select(field => field.Key), StringComparer.OrdinalIgnoreCase);
        return [.. stored.Where(field => !replaced.Contains(field.Key)), .. updates];
    }

    /// <summary>Rough bytes a header list costs in memory: UTF-16 text plus per-field overhead.</summary>
    public static long EstimateBytes(ResponseHeaders headers)
    {
        const int PerField = 64;
        long bytes = 0;
        foreach (var field in headers)
        {
            bytes += PerField + (2L * (field.Key.Length + field.Value.Length));
        }

        return bytes;
    }

    // Fields a Connection header names are hop-by-hop too (RFC 9110 7.6.1).
    private static HashSet<string>? ConnectionOptions(IEnumerable<KeyValuePair<string, string>> headers)
    {
        HashSet<string>? named = null;
        foreach (var field in headers)
        {
            if (field.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                named ??= new(StringComparer.OrdinalIgnoreCase);
                foreach (var option in field.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    named.Add(option);
                }
            }
        }

        return named;
    }
}

using Tandem.Edge.Origins;

namespace Tandem.Edge.Releases;

/// <summary>What asking the origins for one of Tandem's records came to.</summary>
internal enum RecordOutcome
{
    Found,

    /// <summary>Every origin answered, and none has it (403/404).</summary>
    Missing,

    /// <summary>Some origin could not be asked (down, timed out, 5xx), and none that answered has it.</summary>
    Unreachable,
}

internal sealed record RecordFetch(RecordOutcome Outcome, byte[]? Body, string Detail);

/// <summary>
/// Reads Tandem's own records (manifests, live.json) from the origins' website endpoints, through
/// the site's origin group and the same fetch path as visitor misses (health, failover, timeouts),
/// with 403 and 404 added to the failover statuses: any origin that has the record will do.
/// </summary>
internal sealed class ReleaseSource
{
    // Manifests list every file; a site of 100 000 files makes about 25 MB.
    private const long MaxRecordBytes = 64L * 1024 * 1024;

    private readonly OriginGroupRuntime _group;
    private readonly OriginGroupFetcher _fetcher;

    public ReleaseSource(OriginGroupRuntime siteGroup, OriginGroupFetcher fetcher)
    {
        _group = new OriginGroupRuntime(siteGroup.Name, siteGroup.Origins, siteGroup.FailoverStatusCodes.Union([403, 404]));
        _fetcher = fetcher;
    }

    public string GroupName => _group.Name;

    /// <param name="recordPath">Path of the record below the origin's prefix, such as "/_tandem/live.json".</param>
    public async Task<RecordFetch> GetAsync(string recordPath, CancellationToken cancellationToken)
    {
        using var result = await _fetcher.FetchAsync(_group, new OriginRequest
        {
            Method = HttpMethod.Get,
            PathAndQuery = recordPath,
            UnderPrefix = true,
            Headers = [new("Accept-Encoding", "identity"), new("Cache-Control", "no-cache")],
            Via = "1.1 tandem-edge",
        }, cancellationToken);
        var detail = string.Join("; ", result.Attempts.Select(a => $"{a.Origin}: {(a.Status is { } s ? "answered " + s : a.Error)}"));
        if (result.Succeeded && result.Response is { } response && (int)response.StatusCode == 200)
        {
            try
            {
                if (response.Content.Headers.ContentLength > MaxRecordBytes)
                {
                    return new RecordFetch(RecordOutcome.Unreachable, null, $"{result.Origin?.Name}: {recordPath} is larger than {MaxRecordBytes} bytes");
                }

                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                return new RecordFetch(RecordOutcome.Found, body, $"{result.Origin?.Name} answered 200");
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return new RecordFetch(RecordOutcome.Unreachable, null, $"{result.Origin?.Name}: body not received whole ({ex.Message})");
            }
        }

        var allMissing = result.Attempts.Count > 0 && result.Attempts.All(a => a.Status is 403 or 404);
        if (result.Succeeded)
        {
            // A status outside the failover set (a redirect, 400): the record is not readable there.
            detail += " (expected 200)";
        }

        return new RecordFetch(allMissing ? RecordOutcome.Missing : RecordOutcome.Unreachable, null, detail);
    }
}

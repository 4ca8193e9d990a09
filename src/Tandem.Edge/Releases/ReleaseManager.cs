using Microsoft.Extensions.Logging;
using Tandem.Core.Releases;
using Tandem.Edge.Caching;

namespace Tandem.Edge.Releases;

/// <summary>The answer to an admin call: a value, or an HTTP status with a message saying what is wrong.</summary>
internal sealed record ReleaseCallResult<T>(int Status, T? Value, string? Error)
{
    public static ReleaseCallResult<T> Ok(T value) => new(200, value, null);

    public static ReleaseCallResult<T> Fail(int status, string error) => new(status, default, error);
}

/// <summary>
/// How an edge follows releases: prepare (fetch and check a manifest), activate (swap the live
/// release, persist, invalidate), and at start the state file, or else the origins' live.json.
/// </summary>
internal sealed class ReleaseManager : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

    private readonly string _edge;
    private readonly ReleaseState _state;
    private readonly ReleaseSource _source;
    private readonly ResponseCache _cache;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _following = Task.CompletedTask;

    public ReleaseManager(string edge, ReleaseState state, ReleaseSource source, ResponseCache cache, TimeProvider time, ILogger logger)
    {
        _edge = edge;
        _state = state;
        _source = source;
        _cache = cache;
        _time = time;
        _logger = logger;
    }

    public ReleaseState State => _state;

    /// <summary>Completes when the start-up lookup of live.json has ended (adopted, none, or stopped).</summary>
    public Task Following => _following;

    /// <summary>
    /// Restores the persisted state, so a restarted edge serves its release at once. With no
    /// state, asks the origins for live.json in the background, retrying while they cannot be
    /// reached; until then the edge serves as with no release.
    /// </summary>
    public void Start()
    {
        try
        {
            // State that names no live release (only prepared ones) still asks the origins.
            if (_state.TryLoad() && _state.Live is { } live)
            {
                ReleaseLog.Restored(_logger, live.View.Id, _state.Known.Count);
                return;
            }
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            ReleaseLog.StateUnreadable(_logger, ex.Message);
        }

        _following = Task.Run(() => FollowLiveAsync(_stop.Token));
    }

    public EdgeReleaseStatus Status()
    {
        var live = _state.Live;
        return new EdgeReleaseStatus(_edge, live?.View.Id, live?.Activated, _state.Known);
    }

    /// <summary>Fetches and checks the manifest of <paramref name="id"/> from the origins and keeps it; nothing visible changes.</summary>
    public async Task<ReleaseCallResult<EdgeReleaseStatus>> PrepareAsync(string? id, CancellationToken cancellationToken)
    {
        if (!ReleaseLayout.IsReleaseId(id))
        {
            return ReleaseCallResult<EdgeReleaseStatus>.Fail(400, $"'id' must be a release id of 12 lower-case hex digits; got {(id is null ? "none" : $"'{id}'")}");
        }

        if (_state.Find(id!) is null)
        {
            var (manifest, status, error) = await FetchManifestAsync(id!, cancellationToken);
            if (manifest is null)
            {
                ReleaseLog.PrepareFailed(_logger, id!, error!);
                return ReleaseCallResult<EdgeReleaseStatus>.Fail(status, error!);
            }

            try
            {
                _state.Add(manifest);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ReleaseCallResult<EdgeReleaseStatus>.Fail(500, $"could not keep release {id} in the edge's stateDir: {ex.Message}");
            }

            ReleaseLog.Prepared(_logger, id!, manifest.Files.Count);
        }

        return ReleaseCallResult<EdgeReleaseStatus>.Ok(Status());
    }

    /// <summary>Makes a known release live on this edge (persisted, one pointer swap), then drops the invalidation paths.</summary>
    public ReleaseCallResult<ActivateReleaseResponse> Activate(string? id, IReadOnlyList<string>? invalidate)
    {
        if (!ReleaseLayout.IsReleaseId(id))
        {
            return ReleaseCallResult<ActivateReleaseResponse>.Fail(400, $"'id' must be a release id of 12 lower-case hex digits; got {(id is null ? "none" : $"'{id}'")}");
        }

        var paths = invalidate ?? [];
        var bad = paths.Where(p => string.IsNullOrEmpty(p) || (p[0] != '/' && p != "*")).ToList();
        if (bad.Count > 0)
        {
            return ReleaseCallResult<ActivateReleaseResponse>.Fail(400, $"every invalidation path must start with '/' (a trailing '*' matches a prefix); these do not: {string.Join(", ", bad.Select(b => $"'{b}'"))}");
        }

        var previous = _state.Live?.View.Id;
        LiveRelease? live;
        try
        {
            live = _state.Activate(id!, _time.GetUtcNow());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The state is written before the swap, so nothing changed for visitors.
            return ReleaseCallResult<ActivateReleaseResponse>.Fail(500, $"release {id} not activated: the edge could not write its stateDir ({ex.Message})");
        }

        if (live is null)
        {
            return ReleaseCallResult<ActivateReleaseResponse>.Fail(409, $"release {id} is not known to edge '{_edge}': POST /release/prepare {{\"id\":\"{id}\"}} first (known: {string.Join(", ", _state.Known)})");
        }

        var removed = paths.Sum(p => _cache.Invalidate(p));
        ReleaseLog.Activated(_logger, id!, previous ?? "none", removed);
        return ReleaseCallResult<ActivateReleaseResponse>.Ok(new ActivateReleaseResponse(id!, previous == id ? live.Previous : previous, removed));
    }

    private async Task<(ReleaseManifest? Manifest, int Status, string? Error)> FetchManifestAsync(string id, CancellationToken cancellationToken)
    {
        var path = "/" + ReleaseLayout.ManifestKey(null, id);
        var fetched = await _source.GetAsync(path, cancellationToken);
        switch (fetched.Outcome)
        {
            case RecordOutcome.Missing:
                return (null, 404, $"no origin of group '{_source.GroupName}' has the manifest of release {id} ({path} under each origin's prefix): {fetched.Detail}");
            case RecordOutcome.Unreachable:
                return (null, 502, $"could not read the manifest of release {id} from the origins of group '{_source.GroupName}': {fetched.Detail}");
        }

        try
        {
            var manifest = ReleaseManifest.Parse(fetched.Body);
            return manifest.Id == id
                ? (manifest, 200, null)
                : (null, 502, $"the manifest at {path} names release {manifest.Id}, not {id}");
        }
        catch (FormatException ex)
        {
            return (null, 502, $"the manifest of release {id} on the origins is damaged: {ex.Message}");
        }
    }

    private async Task FollowLiveAsync(CancellationToken stop)
    {
        var wait = FirstRetry;
        var livePath = "/" + ReleaseLayout.LiveKey(null);
        while (!stop.IsCancellationRequested && _state.Live is null)
        {
            try
            {
                var fetched = await _source.GetAsync(livePath, stop);
                if (fetched.Outcome == RecordOutcome.Missing)
                {
                    ReleaseLog.NoLiveRelease(_logger);
                    return;
                }

                if (fetched.Outcome == RecordOutcome.Found)
                {
                    var pointer = LivePointer.Parse(fetched.Body);
                    var (manifest, _, error) = await FetchManifestAsync(pointer.Id, stop);
                    if (manifest is not null)
                    {
                        _state.Add(manifest);
                        if (_state.Activate(pointer.Id, pointer.Activated, onlyIfNoneLive: true) is not null)
                        {
                            ReleaseLog.Adopted(_logger, pointer.Id);
                        }

                        return;
                    }

                    ReleaseLog.LookupFailed(_logger, error!);
                }
                else
                {
                    ReleaseLog.LookupFailed(_logger, fetched.Detail);
                }
            }
            catch (FormatException ex)
            {
                ReleaseLog.LookupFailed(_logger, ex.Message);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                ReleaseLog.LookupFailed(_logger, ex.Message);
            }

            try
            {
                await Task.Delay(wait, _time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            wait = wait * 2 > MaxRetry ? MaxRetry : wait * 2;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _following;
        _stop.Dispose();
    }
}

internal static partial class ReleaseLog
{
    [LoggerMessage(EventId = 320, Level = LogLevel.Information, Message = "Release {Id} prepared: manifest of {Files} files")]
    public static partial void Prepared(ILogger logger, string id, int files);

    [LoggerMessage(EventId = 321, Level = LogLevel.Warning, Message = "Release {Id} not prepared: {Error}")]
    public static partial void PrepareFailed(ILogger logger, string id, string error);

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "Release {Id} is live (was {Previous}); {Removed} cache entries invalidated")]
    public static partial void Activated(ILogger logger, string id, string previous, int removed);

    [LoggerMessage(EventId = 323, Level = LogLevel.Information, Message = "Release {Id} restored from the state file ({Known} releases known)")]
    public static partial void Restored(ILogger logger, string id, int known);

    [LoggerMessage(EventId = 324, Level = LogLevel.Warning, Message = "Release state file not used: {Problem}; asking the origins for live.json")]
    public static partial void StateUnreadable(ILogger logger, string problem);

    [LoggerMessage(EventId = 325, Level = LogLevel.Information, Message = "No origin has a live release; serving the bucket root")]
    public static partial void NoLiveRelease(ILogger logger);

    [LoggerMessage(EventId = 326, Level = LogLevel.Information, Message = "Release {Id} adopted from the origins' live.json")]
    public static partial void Adopted(ILogger logger, string id);

    [LoggerMessage(EventId = 327, Level = LogLevel.Warning, Message = "Live release lookup failed, will retry: {Problem}")]
    public static partial void LookupFailed(ILogger logger, string problem);
}

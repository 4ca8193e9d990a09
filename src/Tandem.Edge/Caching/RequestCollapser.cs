using System.Collections.Concurrent;

namespace Tandem.Edge.Caching;

/// <summary>
/// Request collapsing (CloudFront's name; nginx's proxy_cache_lock, Varnish's waiting list):
/// concurrent misses for one key share one origin fetch. Thread-safe.
/// </summary>
/// <remarks>
/// The first caller for a key leads: it starts the fetch. Callers that arrive while it runs
/// follow: they wait for the same result, for at most their follower wait, after which they get
/// <see cref="CollapseTimeoutException"/> and should fetch on their own (nginx does the same after
/// proxy_cache_lock_timeout). The fetch runs on the collapser's token, never a caller's: a leader
/// that gives up does not take the result away from its followers. The fetch's result or
/// exception goes to every caller still waiting; then the key is free again. A key must always
/// be used with the same result type.
/// </remarks>
public sealed class RequestCollapser : IDisposable
{
    private readonly ConcurrentDictionary<string, Task> _flights = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TimeSpan _fetchTimeout;
    private long _fetches;
    private long _followers;

    /// <param name="fetchTimeout">
    /// Longest a shared fetch may run before its token is cancelled; default none (the fetch
    /// applies the origin timeouts itself).
    /// </param>
    public RequestCollapser(TimeSpan? fetchTimeout = null)
    {
        _fetchTimeout = fetchTimeout ?? Timeout.InfiniteTimeSpan;
        if (_fetchTimeout != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_fetchTimeout, TimeSpan.Zero, nameof(fetchTimeout));
        }
    }

    /// <summary>Fetches started (one per collapsed group).</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    /// <summary>Callers that joined a fetch another caller started.</summary>
    public long Followers => Interlocked.Read(ref _followers);

    /// <summary>Keys with a fetch running now.</summary>
    public int InFlight => _flights.Count;

    /// <summary>
    /// Runs <paramref name="fetch"/> for <paramref name="key"/>, or joins the run already going.
    /// </summary>
    /// <param name="key">What is fetched, usually the cache key.</param>
    /// <param name="fetch">The fetch; it gets the collapser's token, not <paramref name="cancellationToken"/>.</param>
    /// <param name="followerWait">How long a follower waits; <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</param>
    /// <param name="cancellationToken">Stops this caller's wait only.</param>
    /// <exception cref="CollapseTimeoutException">This caller followed and waited <paramref name="followerWait"/> in vain.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<T> RunAsync<T>(string key, Func<CancellationToken, Task<T>> fetch, TimeSpan followerWait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(fetch);
        if (followerWait != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(followerWait, TimeSpan.Zero);
        }

        ObjectDisposedException.ThrowIf(_lifetime.IsCancellationRequested, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        while (true)
        {
            if (_flights.TryGetValue(key, out var running))
            {
                if (running is not Task<T> shared)
                {
                    throw new InvalidOperationException($"Key '{key}' is being fetched with another result type.");
                }

                Interlocked.Increment(ref _followers);
                return FollowAsync(shared, followerWait, cancellationToken);
            }

            var flight = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_flights.TryAdd(key, flight.Task))
            {
                Interlocked.Increment(ref _fetches);
                _ = FlyAsync(key, flight, fetch);
                return flight.Task.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>Cancels the token of every fetch still running.</summary>
    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    private static async Task<T> FollowAsync<T>(Task<T> shared, TimeSpan wait, CancellationToken cancellationToken)
    {
        await ((Task)shared).WaitAsync(wait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // The fetch's outcome wins over a timeout or cancellation that came at the same moment,
        // and a TimeoutException of the fetch's own stays what it is.
        if (shared.IsCompleted)
        {
            return await shared.ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new CollapseTimeoutException(wait);
    }

    private async Task FlyAsync<T>(string key, TaskCompletionSource<T> flight, Func<CancellationToken, Task<T>> fetch)
    {
        using var timeout = _fetchTimeout == Timeout.InfiniteTimeSpan ? null : CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        timeout?.CancelAfter(_fetchTimeout);
        try
        {
            var value = await fetch(timeout?.Token ?? _lifetime.Token).ConfigureAwait(false);
            Land();
            flight.TrySetResult(value);
        }
        catch (OperationCanceledException e)
        {
            Land();
            flight.TrySetCanceled(e.CancellationToken);
        }
        catch (Exception e)
        {
            Land();
            flight.TrySetException(e);
        }

        // The key is freed before the result is published, so whoever comes after the result
        // starts a fetch of their own instead of joining a finished one.
        void Land() => _flights.TryRemove(new KeyValuePair<string, Task>(key, flight.Task));
    }
}

/// <summary>A follower waited its limit for a shared fetch that has not finished; it should fetch on its own.</summary>
public sealed class CollapseTimeoutException : TimeoutException
{
    public CollapseTimeoutException()
        : base("Waited too long for another request's fetch of the same key.")
    {
    }

    public CollapseTimeoutException(string message)
        : base(message)
    {
    }

    public CollapseTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CollapseTimeoutException(TimeSpan waited)
        : base($"Waited {waited.TotalMilliseconds:0} ms for another request's fetch of the same key.")
    {
    }
}

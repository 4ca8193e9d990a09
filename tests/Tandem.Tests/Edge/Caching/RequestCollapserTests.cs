using Tandem.Edge.Caching;

namespace Tandem.Tests.Edge.Caching;

public class RequestCollapserTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    // Bounds every await, so a broken collapser fails a test instead of hanging the run.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    // Waits (without a timing assertion) until a condition some other task brings about holds.
    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    [Fact]
    public async Task RunAsync_FiftyConcurrentCallers_OneFetch()
    {
        using var collapser = new RequestCollapser();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        Task<int> Fetch(CancellationToken ct)
        {
            Interlocked.Increment(ref calls);
            return release.Task;
        }

        var callers = Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => collapser.RunAsync("|/a", Fetch, Long, CancellationToken.None)))
            .ToArray();
        await Until(() => collapser.Followers == 49);
        release.SetResult(42);

        Assert.All(await Task.WhenAll(callers).WaitAsync(Guard), value => Assert.Equal(42, value));
        Assert.Equal(1, calls);
        Assert.Equal(1, collapser.Fetches);
        Assert.Equal(0, collapser.InFlight);
    }

    [Fact]
    public async Task RunAsync_DifferentKeys_SeparateFetches()
    {
        using var collapser = new RequestCollapser();
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        var a = collapser.RunAsync("|/a", _ => release.Task, Long, CancellationToken.None);
        var b = collapser.RunAsync("|/b", _ => Task.FromResult("b"), Long, CancellationToken.None);

        Assert.Equal("b", await b.WaitAsync(Guard));
        release.SetResult("a");
        Assert.Equal("a", await a.WaitAsync(Guard));
        Assert.Equal(2, collapser.Fetches);
    }

    [Fact]
    public async Task RunAsync_FollowerWaitsTooLong_CollapseTimeoutWhileLeaderStillGetsResult()
    {
        using var collapser = new RequestCollapser();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var leader = collapser.RunAsync("|/a", _ => release.Task, Long, CancellationToken.None);

        var follower = collapser.RunAsync("|/a", _ => Task.FromResult(-1), TimeSpan.FromMilliseconds(50), CancellationToken.None);

        await Assert.ThrowsAsync<CollapseTimeoutException>(() => follower.WaitAsync(Guard));
        release.SetResult(7);
        Assert.Equal(7, await leader.WaitAsync(Guard));
    }

    [Fact]
    public async Task RunAsync_FollowerWaitZero_TimesOutAtOnce()
    {
        using var collapser = new RequestCollapser();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = collapser.RunAsync("|/a", _ => release.Task, Long, CancellationToken.None);

        await Assert.ThrowsAsync<CollapseTimeoutException>(() => collapser.RunAsync("|/a", _ => release.Task, TimeSpan.Zero, CancellationToken.None).WaitAsync(Guard));
        release.SetResult(1);
    }

    [Fact]
    public async Task RunAsync_LeaderCancelled_FollowersStillServedAndFetchNotCancelled()
    {
        using var collapser = new RequestCollapser();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetchToken = CancellationToken.None;
        using var leaderCancel = new CancellationTokenSource();
        var leader = collapser.RunAsync("|/a", ct => { fetchToken = ct; return release.Task; }, Long, leaderCancel.Token);
        var follower = collapser.RunAsync("|/a", _ => Task.FromResult(-1), Long, CancellationToken.None);

        leaderCancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leader.WaitAsync(Guard));
        Assert.False(fetchToken.IsCancellationRequested);
        release.SetResult(5);
        Assert.Equal(5, await follower.WaitAsync(Guard));
    }

    [Fact]
    public async Task RunAsync_FollowerCancelled_OnlyThatFollowerStops()
    {
        using var collapser = new RequestCollapser();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var leader = collapser.RunAsync("|/a", _ => release.Task, Long, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var follower = collapser.RunAsync("|/a", _ => Task.FromResult(-1), Long, cancel.Token);

        cancel.Cancel();

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follower.WaitAsync(Guard));
        Assert.IsNotType<CollapseTimeoutException>(thrown);
        release.SetResult(3);
        Assert.Equal(3, await leader.WaitAsync(Guard));
    }

    [Fact]
    public async Task RunAsync_FetchThrows_EveryWaiterGetsTheException()
    {
        using var collapser = new RequestCollapser();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var callers = Enumerable.Range(0, 10)
            .Select(_ => collapser.RunAsync("|/a", _ => release.Task, Long, CancellationToken.None))
            .ToArray();

        release.SetException(new InvalidOperationException("origin down"));

        foreach (var caller in callers)
        {
            var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => caller.WaitAsync(Guard));
            Assert.Equal("origin down", thrown.Message);
        }

        Assert.Equal(0, collapser.InFlight);
    }

    [Fact]
    public async Task RunAsync_FetchThrowsTimeout_FollowersSeePlainTimeout()
    {
        using var collapser = new RequestCollapser();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = collapser.RunAsync("|/a", _ => release.Task, Long, CancellationToken.None);
        var follower = collapser.RunAsync("|/a", _ => release.Task, Long, CancellationToken.None);

        release.SetException(new TimeoutException("origin timed out"));

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => follower.WaitAsync(Guard));
        Assert.Equal("origin timed out", thrown.Message);
    }

    [Fact]
    public async Task RunAsync_FetchThrowsSynchronously_Propagates()
    {
        using var collapser = new RequestCollapser();

        await Assert.ThrowsAsync<ArgumentException>(() => collapser.RunAsync<int>("|/a", _ => throw new ArgumentException("bad"), Long, CancellationToken.None).WaitAsync(Guard));
        Assert.Equal(0, collapser.InFlight);
    }

    [Fact]
    public async Task RunAsync_KeyAfterCompletion_FetchesAgain()
    {
        using var collapser = new RequestCollapser();
        var calls = 0;

        Assert.Equal(1, await collapser.RunAsync("|/a", _ => Task.FromResult(Interlocked.Increment(ref calls)), Long, CancellationToken.None).WaitAsync(Guard));
        Assert.Equal(2, await collapser.RunAsync("|/a", _ => Task.FromResult(Interlocked.Increment(ref calls)), Long, CancellationToken.None).WaitAsync(Guard));

        Assert.Equal(2, collapser.Fetches);
        Assert.Equal(0, collapser.Followers);
    }

    [Fact]
    public async Task RunAsync_KeyInFlightWithOtherType_Throws()
    {
        using var collapser = new RequestCollapser();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = collapser.RunAsync("|/a", _ => release.Task, Long, CancellationToken.None);

        Assert.Throws<InvalidOperationException>(() => { _ = collapser.RunAsync("|/a", _ => Task.FromResult("x"), Long, CancellationToken.None); });
        release.SetResult(1);
        await Until(() => collapser.InFlight == 0);
    }

    [Fact]
    public async Task RunAsync_FetchTimeout_FetchTokenCancelled()
    {
        using var collapser = new RequestCollapser(TimeSpan.FromMilliseconds(50));

        var run = collapser.RunAsync("|/a", async ct => { await Task.Delay(Timeout.Infinite, ct); return 0; }, Long, CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Guard));
        Assert.Equal(0, collapser.InFlight);
    }

    [Fact]
    public async Task Dispose_FetchRunning_TokenCancelled()
    {
        var collapser = new RequestCollapser();
        var run = collapser.RunAsync("|/a", async ct => { await Task.Delay(Timeout.Infinite, ct); return 0; }, Long, CancellationToken.None);

        collapser.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Guard));
    }
}

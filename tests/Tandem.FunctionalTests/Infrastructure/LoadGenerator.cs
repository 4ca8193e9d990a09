using System.Collections.Concurrent;
using System.Diagnostics;

namespace Tandem.FunctionalTests.Infrastructure;

/// <summary>
/// Steady GET load from several concurrent visitors over a list of paths, recording every
/// response: what a visitor saw, and how long it took. Bounded in time; stops by itself.
/// </summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Sample> _samples = new();
    private readonly List<Task> _workers = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public sealed record Sample(TimeSpan At, string Path, int Status, TimeSpan Latency, string? Cache, string? Origin, string? Error);

    public LoadGenerator(string baseUrl, IReadOnlyList<string> paths, int visitors = 8, TimeSpan? maxDuration = null)
    {
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };
        _stop.CancelAfter(maxDuration ?? TimeSpan.FromMinutes(2));
        for (var v = 0; v < visitors; v++)
        {
            var offset = v;
            _workers.Add(Task.Run(() => VisitAsync(paths, offset)));
        }
    }

    public IReadOnlyList<Sample> Samples => _samples.ToArray();

    /// <summary>Now, on the generator's clock (samples carry the same clock).</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    private async Task VisitAsync(IReadOnlyList<string> paths, int offset)
    {
        var i = offset;
        while (!_stop.IsCancellationRequested)
        {
            var path = paths[i++ % paths.Count];
            var started = _clock.Elapsed;
            try
            {
                using var response = await _http.GetAsync(path, _stop.Token);
                await response.Content.ReadAsByteArrayAsync(_stop.Token);
                _samples.Enqueue(new Sample(started, path, (int)response.StatusCode, _clock.Elapsed - started,
                    Header(response, "X-Cache"), Header(response, "X-Tandem-Origin"), null));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                _samples.Enqueue(new Sample(started, path, 0, _clock.Elapsed - started, null, null, ex.Message));
            }
        }
    }

    private static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;

    /// <summary>Waits until <paramref name="condition"/> holds for the samples, or the timeout passes.</summary>
    public async Task<bool> WaitForAsync(Func<IReadOnlyList<Sample>, bool> condition, TimeSpan timeout)
    {
        var until = _clock.Elapsed + timeout;
        while (_clock.Elapsed < until)
        {
            if (condition(Samples))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition(Samples);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }
}

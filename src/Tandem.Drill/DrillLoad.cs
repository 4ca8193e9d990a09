using System.Diagnostics;

namespace Tandem.Drill;

/// <summary>
/// Steady GET load through the edge from a few workers, each alternating a cached path (warmed
/// before the first scenario) and an uncached one (a page with a unique query string, which the
/// edge must fetch from an origin). Every response is recorded as a <see cref="DrillSample"/>.
/// </summary>
public sealed class DrillLoad : IAsyncDisposable
{
    /// <summary>Pause between one worker's requests: load enough to see every change within tens of milliseconds, light enough for a laptop.</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    private readonly HttpClient _http;
    private readonly long _clock = Stopwatch.GetTimestamp();
    private readonly List<DrillSample> _samples = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private List<string> _cached = [];
    private List<string> _pages = [];
    private Dictionary<string, int> _baseline = new(StringComparer.Ordinal);
    private byte[] _errorPage = [];
    private long _counter;

    /// <summary>
    /// Makes this run's uncached requests unique across runs too: a counter alone starts at 1 in
    /// every drill, so a drill within the cache's TTL of another would get its "uncached" requests
    /// answered from the edge's cache, by whichever origin served the earlier drill.
    /// </summary>
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];

    public DrillLoad(string edgeUrl, int requestTimeoutMs)
    {
        EdgeUrl = edgeUrl.TrimEnd('/');
        _http = new HttpClient(new SocketsHttpHandler
        {
            // A fresh visitor each time: no release-pin cookie, no compression to undo, redirects seen as they are.
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        {
            BaseAddress = new Uri(EdgeUrl + "/"),
            Timeout = TimeSpan.FromMilliseconds(requestTimeoutMs),
        };
    }

    public string EdgeUrl { get; }

    /// <summary>Milliseconds since the load was created: the clock of every sample and scenario window.</summary>
    public double Now => Stopwatch.GetElapsedTime(_clock).TotalMilliseconds;

    /// <summary>Status of each path before any fault.</summary>
    public IReadOnlyDictionary<string, int> Baseline => _baseline;

    /// <summary>
    /// Fetches every path twice through the edge (so the second answer comes from its cache) and
    /// keeps each path's status and the body of <paramref name="errorPagePath"/>. Pages are the
    /// paths that uncached requests use. Returns the paths that did not answer.
    /// </summary>
    public async Task<List<string>> WarmAsync(IReadOnlyList<string> paths, IReadOnlyList<string> pages, string errorPagePath, CancellationToken cancellationToken)
    {
        var baseline = new Dictionary<string, int>(StringComparer.Ordinal);
        var failed = new List<string>();
        foreach (var path in paths.Append(errorPagePath).Distinct(StringComparer.Ordinal))
        {
            for (var round = 0; round < 2; round++)
            {
                try
                {
                    using var response = await _http.GetAsync(Relative(path), cancellationToken);
                    var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                    baseline[path] = (int)response.StatusCode;
                    if (path == errorPagePath)
                    {
                        _errorPage = body;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    baseline.Remove(path);
                }
            }

            if (!baseline.ContainsKey(path))
            {
                failed.Add(path);
            }
        }

        _baseline = baseline;
        _cached = paths.Where(baseline.ContainsKey).ToList();
        _pages = pages.Where(p => baseline.TryGetValue(p, out var s) && s == 200).ToList();
        return failed;
    }

    /// <summary>True when there is a page to request uncached.</summary>
    public bool HasPages => _pages.Count > 0;

    public void Start(int concurrency, CancellationToken cancellationToken)
    {
        var token = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancellationToken).Token;
        for (var i = 0; i < concurrency; i++)
        {
            var worker = i;
            _workers.Add(Task.Run(() => WorkAsync(worker, token), CancellationToken.None));
        }
    }

    /// <summary>Stops the workers and waits for the requests in flight (each bounded by the request timeout).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    /// <summary>A copy of every sample recorded so far.</summary>
    public List<DrillSample> Samples()
    {
        lock (_lock)
        {
            return [.. _samples];
        }
    }

    private async Task WorkAsync(int worker, CancellationToken cancellationToken)
    {
        var turn = worker;
        while (!cancellationToken.IsCancellationRequested)
        {
            var uncached = turn++ % 2 == 1 && _pages.Count > 0;
            var list = uncached ? _pages : _cached;
            if (list.Count == 0)
            {
                return;
            }

            var path = list[(turn / 2) % list.Count];
            var target = uncached ? $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}tandem-drill={_run}-{Interlocked.Increment(ref _counter)}" : path;
            var sample = await RequestAsync(path, target, uncached);
            lock (_lock)
            {
                _samples.Add(sample);
            }

            try
            {
                await Task.Delay(Pace, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<DrillSample> RequestAsync(string path, string target, bool uncached)
    {
        var sent = Now;
        var expected = _baseline.GetValueOrDefault(path, 200);

        // Not tied to the drill's cancellation: a request in flight is finished (or times out), so
        // what a visitor saw at the end of a scenario is recorded too.
        try
        {
            using var response = await _http.GetAsync(Relative(target), CancellationToken.None);
            var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
            return new DrillSample(path, uncached, sent, Now - sent, (int)response.StatusCode,
                Header(response, "X-Cache"), Header(response, "X-Tandem-Origin"), null,
                _errorPage.Length > 0 && body.AsSpan().SequenceEqual(_errorPage), expected);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            var why = ex is TaskCanceledException ? $"no answer in {_http.Timeout.TotalSeconds:0.#} s" : Innermost(ex).Message;
            return new DrillSample(path, uncached, sent, Now - sent, null, null, null, why, false, expected);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static Uri Relative(string path) => new(path.TrimStart('/'), UriKind.Relative);

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex;
    }

    public async ValueTask DisposeAsync()
    {
        if (_workers.Count > 0)
        {
            await StopAsync();
        }

        _http.Dispose();
        _stop.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Monitor.Dashboard;

/// <summary>
/// Debian's chromium, headless, driven by Playwright (its driver ships in the NuGet package, and
/// no browser is downloaded). One per test class: pages are cheap, the browser is not.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExternalTool.Find("chromium"),
            Headless = true,
            Args = ["--disable-gpu", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>
/// The monitor's dashboard in a browser tab, with what a test asks of it: who is serving, alarm
/// states, how many points each chart draws, and everything that went wrong while it ran
/// (console errors, uncaught exceptions, failed or non-2xx requests).
/// </summary>
public sealed class DashboardPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private DashboardPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>Console messages of type error and uncaught exceptions, in order.</summary>
    public ConcurrentQueue<string> ConsoleErrors { get; } = new();

    /// <summary>Every URL the page asked for, its own and any other.</summary>
    public ConcurrentQueue<string> RequestedUrls { get; } = new();

    /// <summary>Requests that failed or answered 400 or more: "METHOD URL: reason".</summary>
    public ConcurrentQueue<string> FailedRequests { get; } = new();

    /// <summary>Opens <paramref name="address"/> in a new context 1440 × 900 and waits for the first poll to draw.</summary>
    public static async Task<DashboardPage> OpenAsync(IBrowser browser, Uri address)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        var page = await context.NewPageAsync();
        var dashboard = new DashboardPage(context, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                dashboard.ConsoleErrors.Enqueue(message.Text);
            }
        };
        page.PageError += (_, error) => dashboard.ConsoleErrors.Enqueue("uncaught: " + error);
        page.Request += (_, request) => dashboard.RequestedUrls.Enqueue(request.Url);
        page.RequestFailed += (_, request) => dashboard.FailedRequests.Enqueue($"{request.Method} {request.Url}: {request.Failure}");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                dashboard.FailedRequests.Enqueue($"{response.Request.Method} {response.Url}: HTTP {response.Status}");
            }
        };
        await page.GotoAsync(address.ToString(), new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        await page.WaitForSelectorAsync("body[data-updated]", new PageWaitForSelectorOptions { Timeout = 10_000, State = WaitForSelectorState.Attached });
        return dashboard;
    }

    /// <summary>
    /// Waits until <paramref name="origin"/> is marked serving (for <paramref name="edge"/>, or any
    /// edge when null); returns how long that took. Throws a TimeoutException after <paramref name="timeout"/>.
    /// </summary>
    public async Task<TimeSpan> WaitForServingAsync(string origin, TimeSpan timeout, string? edge = null)
    {
        var scope = edge is null ? "" : $".group[data-edge=\"{edge}\"] ";
        var watch = Stopwatch.StartNew();
        await Page.WaitForSelectorAsync($"{scope}[data-origin=\"{origin}\"][data-serving=\"true\"]",
            new PageWaitForSelectorOptions { Timeout = (float)timeout.TotalMilliseconds, State = WaitForSelectorState.Attached });
        return watch.Elapsed;
    }

    /// <summary>The origins marked serving, one per origin group drawn.</summary>
    public async Task<IReadOnlyList<string>> ServingAsync() =>
        await Page.EvalOnSelectorAllAsync<string[]>("[data-serving=\"true\"]", "els => els.map(e => e.dataset.origin)");

    /// <summary>The verdict under each origin group ("serving from …", "none healthy: serving from cache").</summary>
    public async Task<IReadOnlyList<string>> VerdictsAsync() =>
        await Page.EvalOnSelectorAllAsync<string[]>(".group .verdict", "els => els.map(e => e.textContent)");

    /// <summary>Waits until the alarm row <paramref name="name"/> shows <paramref name="state"/>.</summary>
    public async Task<TimeSpan> WaitForAlarmStateAsync(string name, string state, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        await Page.WaitForSelectorAsync($"#alarms tr[data-alarm=\"{name}\"][data-state=\"{state}\"]",
            new PageWaitForSelectorOptions { Timeout = (float)timeout.TotalMilliseconds, State = WaitForSelectorState.Attached });
        return watch.Elapsed;
    }

    /// <summary>Per chart (requests, errors, cache, latency) the points of its longest drawn line; 0 for none.</summary>
    public async Task<IReadOnlyDictionary<string, int>> ChartPointCountsAsync()
    {
        // As a JSON string: Playwright hands numbers inside an object back in its own encoding.
        var json = await Page.EvaluateAsync<string>("""
            () => JSON.stringify(Object.fromEntries([...document.querySelectorAll('figure.chart')].map(f =>
              [f.dataset.chart, Math.max(0, ...[...f.querySelectorAll('svg path.line')].map(p => Number(p.dataset.points) || 0))])))
            """);
        return JsonSerializer.Deserialize<Dictionary<string, int>>(json)!;
    }

    /// <summary>Waits until every chart draws a line of at least <paramref name="points"/> points.</summary>
    public async Task<IReadOnlyDictionary<string, int>> WaitForChartsAsync(int points, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var counts = await ChartPointCountsAsync();
            if (counts.Count > 0 && counts.Values.All(c => c >= points))
            {
                return counts;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"charts did not draw {points} points within {timeout}: " + string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}")));
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The text of each chart's empty state, for charts that have one showing.</summary>
    public async Task<IReadOnlyList<string>> WaitingChartsAsync() =>
        await Page.EvalOnSelectorAllAsync<string[]>("figure.chart[data-empty=\"true\"] text.waiting", "els => els.map(e => e.textContent)");

    /// <summary>Chooses the edge whose lines the charts draw ("" for all edges).</summary>
    public Task SelectEdgeAsync(string edge) => Page.SelectOptionAsync("#scope", edge);

    /// <summary>A full-page PNG at <paramref name="path"/>.</summary>
    public Task ScreenshotAsync(string path) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}

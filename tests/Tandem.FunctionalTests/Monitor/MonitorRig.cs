using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tandem.Core.Hosting;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Monitor;

/// <summary>A webhook receiver on 127.0.0.1 port 0 that keeps every JSON body it is sent.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = new Uri(url, "/hook");
    }

    public Uri Url { get; }

    public ConcurrentQueue<JsonElement> Received { get; } = new();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var app = KestrelApps.Create(null, k => k.Listen(IPAddress.Loopback, 0));
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext context) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
            receiver!.Received.Enqueue(body);
            return Results.Ok();
        });
        await app.StartAsync();
        receiver = new WebhookReceiver(app, KestrelApps.BoundUrls(app).First());
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A `tandem ROLE NAME --config F` child process, up once it printed its " ready: " line.</summary>
internal sealed class RoleProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RoleProcess(Process process, string readyLine)
    {
        _process = process;
        ReadyLine = readyLine;
    }

    public string ReadyLine { get; }

    public static async Task<RoleProcess> StartAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { OriginProcess.CliPath }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(" ready: ", StringComparison.Ordinal))
            {
                _ = process.StandardOutput.ReadToEndAsync();
                return new RoleProcess(process, line);
            }
        }

        await process.WaitForExitAsync();
        throw new InvalidOperationException($"tandem {string.Join(' ', args)} exited {process.ExitCode} before it was ready: {await stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>Runs promtool from Debian's prometheus package.</summary>
internal static class Promtool
{
    /// <summary>`promtool check metrics` with <paramref name="text"/> on stdin.</summary>
    public static async Task<ExternalTool.Result> CheckMetricsAsync(string text)
    {
        using var dir = new TempDir("tandem-promtool");
        var file = dir.Combine("metrics.txt");
        await File.WriteAllTextAsync(file, text);
        return await ExternalTool.RunAsync("/bin/sh", ["-c", $"'{ExternalTool.Find("promtool")}' check metrics < '{file}'"]);
    }

    public static Task<ExternalTool.Result> RunAsync(params string[] args) => ExternalTool.RunAsync(ExternalTool.Find("promtool"), args);
}

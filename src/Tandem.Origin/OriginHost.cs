using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tandem.Core.Hosting;
using Tandem.Origin.Auth;
using Tandem.Origin.S3;
using Tandem.Origin.Storage;
using Tandem.Origin.Website;

namespace Tandem.Origin;

/// <summary>
/// A running origin: the storage engine, the S3 API listener and the website listener. The CLI
/// and the functional tests both start origins through <see cref="StartAsync"/>, so tests run
/// the production wiring.
/// </summary>
public sealed class OriginHost : IAsyncDisposable
{
    private readonly WebApplication _s3;
    private readonly WebApplication _website;
    private readonly FileObjectStore _store;
    private readonly InjectedFault _fault;
    private readonly OriginServerMetrics _metrics;

    private OriginHost(WebApplication s3, WebApplication website, FileObjectStore store, InjectedFault fault, OriginServerMetrics metrics, Uri s3Url, Uri websiteUrl)
    {
        _fault = fault;
        _metrics = metrics;
        _s3 = s3;
        _website = website;
        _store = store;
        S3Url = s3Url;
        WebsiteUrl = websiteUrl;
    }

    /// <summary>Base URL of the S3 API, with the port actually bound.</summary>
    public Uri S3Url { get; }

    /// <summary>Base URL of the website endpoint, with the port actually bound.</summary>
    public Uri WebsiteUrl { get; }

    /// <summary>The storage engine, for in-process inspection by tests.</summary>
    public IObjectStore Store => _store;

    /// <summary>Opens the data directory and starts both listeners.</summary>
    public static async Task<OriginHost> StartAsync(OriginOptions options, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(options.DataDirectory);
        var time = TimeProvider.System;
        var store = new FileObjectStore(options.DataDirectory, new FileObjectStoreOptions { Fsync = options.Fsync }, time);
        var credentials = new StaticCredentialLookup(options.Credentials.Select(c => (c.AccessKeyId, c.SecretAccessKey)));

        var s3 = KestrelApps.Create(logging, kestrel =>
        {
            kestrel.Listen(options.S3Listen);
            // Bodies are limited by the S3 handler itself (it knows the decoded length).
            kestrel.Limits.MaxRequestBodySize = null;

            // Kestrel's 8 KiB would answer a long key with a bare 414 that clients cannot read.
            // 32 KiB is ten times S3's longest key (1024 bytes) fully percent-encoded, so a key
            // too long for S3 still reaches the handler and gets KeyTooLongError.
            kestrel.Limits.MaxRequestLineSize = 32 * 1024;
        });
        var metrics = new OriginServerMetrics();
        metrics.Serve(s3);
        metrics.Count(s3, "s3");
        var handler = new S3ApiHandler(store, credentials, options.S3, time, s3.Services.GetRequiredService<ILogger<S3ApiHandler>>());
        s3.Run(handler.HandleAsync);

        var website = KestrelApps.Create(logging, kestrel =>
        {
            kestrel.Listen(options.WebsiteListen);
            kestrel.Limits.MaxRequestBodySize = 0;
        });
        var fault = new InjectedFault(options.DataDirectory, time, website.Services.GetRequiredService<ILoggerFactory>().CreateLogger<InjectedFault>());
        metrics.Count(website, "website");
        website.Use((context, next) => fault.InvokeAsync(context, next));
        website.MapWebsiteEndpoint(store, new WebsiteOptions { BaseDomain = options.S3.BaseDomain, FallbackBucket = options.DefaultBucket });

        try
        {
            await s3.StartAsync(cancellationToken);
            await website.StartAsync(cancellationToken);
        }
        catch
        {
            await s3.DisposeAsync();
            await website.DisposeAsync();
            fault.Dispose();
            metrics.Dispose();
            store.Dispose();
            throw;
        }

        return new OriginHost(s3, website, store, fault, metrics, KestrelApps.BoundUrls(s3).First(), KestrelApps.BoundUrls(website).First());
    }

    /// <summary>Completes when either listener is told to stop.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        KestrelApps.WaitForAnyStopAsync(cancellationToken, _s3, _website);

    public async ValueTask DisposeAsync()
    {
        await _website.StopAsync();
        await _s3.StopAsync();
        await _website.DisposeAsync();
        await _s3.DisposeAsync();
        _fault.Dispose();
        _metrics.Dispose();
        _store.Dispose();
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tandem.Core.Hosting;

/// <summary>The Kestrel set-up every Tandem role shares: a slim app per listener, and its bound address.</summary>
public static class KestrelApps
{
    /// <summary>A slim WebApplication with no Server header, the given logging and listeners.</summary>
    public static WebApplication Create(Action<ILoggingBuilder>? logging, Action<KestrelServerOptions> configure, bool eagerReceiveBuffers = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (eagerReceiveBuffers)
        {
            // Each connection holds a receive buffer instead of first waiting for data with a
            // zero-byte read: one system call less per request, a few KB more per idle connection.
            builder.WebHost.UseSockets(o => o.WaitForDataBeforeAllocatingBuffer = false);
        }

        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            configure(k);
        });
        return builder.Build();
    }

    /// <summary>The addresses a started app listens on, with any-address hosts made loopback so clients can use them.</summary>
    public static IEnumerable<Uri> BoundUrls(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal)));

    /// <summary>Completes when any of <paramref name="apps"/> is told to stop (Ctrl-C, SIGTERM).</summary>
    public static Task WaitForAnyStopAsync(CancellationToken cancellationToken, params WebApplication[] apps)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var app in apps)
        {
            app.Lifetime.ApplicationStopping.Register(() => stopped.TrySetResult());
        }

        return stopped.Task.WaitAsync(cancellationToken);
    }
}

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
    /// <param name="eagerReceiveBuffers">
    /// Each connection holds a receive buffer instead of first waiting for data with a zero-byte
    /// read: one system call less per request, a few KB more per idle connection.
    /// </param>
    /// <param name="inlineScheduling">
    /// Run request code on the socket thread that read the request instead of handing it to the
    /// thread pool (Kestrel's UnsafePreferInlineScheduling); only worth it, and only used, with
    /// <see cref="InlineSocketCompletions"/> on. The code it runs must never block.
    /// </param>
    public static WebApplication Create(Action<ILoggingBuilder>? logging, Action<KestrelServerOptions> configure, bool eagerReceiveBuffers = false, bool inlineScheduling = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (eagerReceiveBuffers || inlineScheduling)
        {
            builder.WebHost.UseSockets(o =>
            {
                o.WaitForDataBeforeAllocatingBuffer = !eagerReceiveBuffers;
                o.UnsafePreferInlineScheduling = inlineScheduling;
            });
        }

        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);

        // ASP.NET Core's per-request "Request starting/finished" category is never shown; left
        // enabled at any level it also makes the host create an Activity for every request.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
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

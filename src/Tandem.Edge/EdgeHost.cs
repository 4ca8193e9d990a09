using System.Diagnostics.Metrics;
using System.Net.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tandem.Core.Hosting;
using Tandem.Core.Metrics;
using Tandem.Edge.Acme;
using Tandem.Edge.Admin;
using Tandem.Edge.Caching;
using Tandem.Edge.Origins;
using Tandem.Edge.Releases;
using Tandem.Edge.Serving;
using Tandem.Edge.Serving.FastPath;
using Tandem.Edge.Tls;

namespace Tandem.Edge;

/// <summary>
/// A running edge: visitor listeners (HTTP, HTTPS), the admin listener, the cache, the origin
/// runtimes with their health probes. The CLI and the functional tests both start edges
/// through <see cref="StartAsync"/>.
/// </summary>
public sealed class EdgeHost : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned;
    private readonly WebApplication _web;
    private readonly WebApplication _admin;

    private EdgeHost(WebApplication web, WebApplication admin, List<IAsyncDisposable> owned, ResponseCache cache, IReadOnlyList<OriginRuntime> origins, ReleaseManager releases)
    {
        _web = web;
        _admin = admin;
        _owned = owned;
        Cache = cache;
        Origins = origins;
        Releases = releases;
    }

    /// <summary>Plain-HTTP visitor URL, when there is an HTTP listener.</summary>
    public Uri? HttpUrl { get; private set; }

    /// <summary>HTTPS visitor URL, when there is an HTTPS listener.</summary>
    public Uri? HttpsUrl { get; private set; }

    public Uri AdminUrl { get; private set; } = null!;

    public ResponseCache Cache { get; }

    public IReadOnlyList<OriginRuntime> Origins { get; }

    /// <summary>The release this edge serves, and the ones it knows.</summary>
    internal ReleaseManager Releases { get; }

    public static async Task<EdgeHost> StartAsync(EdgeOptions options, Action<ILoggingBuilder>? logging = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var owned = new List<IAsyncDisposable>();
        var meter = new Meter(EdgeAssembly.MeterName);
        var exporter = new PrometheusExporter(meter);
        var originMetrics = new OriginMetrics(new SingleMeterFactory(meter));
        CertificateStore? certificates = null;
        HitFastPath? fastPath = null;

        // Plain GET and HEAD hits on HTTP/1.1 are answered below Kestrel's HTTP layer; the rest goes on to it.
        void UseFastHits(ListenOptions listen, bool https)
        {
            if (options.FastHits)
            {
                listen.Use(next => context => fastPath!.RunAsync(context, next, https));
            }
        }

        var web = KestrelApps.Create(logging, kestrel =>
        {
            kestrel.Limits.KeepAliveTimeout = options.KeepAliveTimeout;
            kestrel.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
            kestrel.Limits.MinResponseDataRate = options.MinResponseDataRate;
            if (options.HttpListen is { } http)
            {
                // Browsers speak HTTP/2 only over TLS; plain HTTP stays HTTP/1.1.
                kestrel.Listen(http, l =>
                {
                    l.Protocols = HttpProtocols.Http1;
                    UseFastHits(l, https: false);
                });
            }

            if (options.HttpsListen is { } https)
            {
                kestrel.Listen(https, l =>
                {
                    l.Protocols = HttpProtocols.Http1AndHttp2;
                    // Per handshake: the current certificate with its intermediates (a renewal
                    // takes effect on the next handshake). Kestrel adds ALPN for the protocols.
                    l.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = certificates!.CurrentContext }),
                    });
                    UseFastHits(l, https: true);
                });
            }
        }, eagerReceiveBuffers: true, inlineScheduling: InlineSocketCompletions.Enabled);
        var logger = web.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tandem.Edge");
        if (options.HttpsListen is not null)
        {
            // With ACME the files may not exist yet: a self-signed certificate for the names
            // serves until the renewer has written the first one.
            Func<System.Security.Cryptography.X509Certificates.X509Certificate2>? temporary = options.Acme is { } a
                ? () => SelfSignedCertificate.Create(a.Names, TimeSpan.FromDays(7))
                : null;
            certificates = new CertificateStore(options.CertificateFile!, options.KeyFile!, time, onError: p => EdgeLog.CertificateProblem(logger, p), temporary: temporary);
            var served = certificates;
            meter.CreateObservableGauge("tandem_edge_certificate_expiry_seconds", () => ExpirySeconds(served, time),
                description: "Seconds until the served HTTPS certificate's notAfter, by name it covers.");
        }

        var catalog = OriginCatalog.FromConfig(
            new Core.Configuration.TandemConfig { Origins = new(options.Origins, StringComparer.Ordinal), Distribution = options.Distribution },
            time, web.Services.GetRequiredService<ILoggerFactory>(), originMetrics);
        var behaviors = BehaviorTable.Create(options.Distribution, catalog);
        var cache = new ResponseCache(options.Cache.MaxBytes, time);
        var collapser = new RequestCollapser(TimeSpan.FromMilliseconds(Math.Max(options.Cache.CollapseWaitMs, 1000) * 3));
        var fetcher = new OriginGroupFetcher(originMetrics, logger);
        var metrics = new EdgeMetrics(meter, () => cache.Bytes, () => cache.Count, () => cache.Hits, () => cache.Misses);
        var accessLog = new AccessLog(options.AccessLog);

        // Releases are read through the catch-all behavior's group: the one that serves the site.
        var releaseState = new ReleaseState(options.StateDir is { } dir ? new ReleaseStateStore(dir) : null, options.IndexDocument);
        var releases = new ReleaseManager(options.Name, releaseState, new ReleaseSource(behaviors.All[^1].Target, fetcher), cache, time, logger);
        meter.CreateObservableGauge("tandem_edge_release_info",
            () => releaseState.Live is { } live ? [new Measurement<int>(1, new KeyValuePair<string, object?>("release", live.View.Id))] : Array.Empty<Measurement<int>>(),
            description: "1 for the release this edge serves (label release); no series before the first release.");
        var handler = new EdgeHandler(options, behaviors, cache, collapser, fetcher, metrics, accessLog, time, logger, releaseState);
        AcmeRenewer? renewer = null;
        if (options.Acme is { } acme)
        {
            // The CA's HTTP-01 check is answered ahead of everything else: neither the redirect
            // to HTTPS nor the cache may catch /.well-known/acme-challenge/.
            var challenges = new Http01Challenges(acme.Share);
            web.MapWhen(c => c.Request.Path.StartsWithSegments(Http01Challenges.PathPrefix.TrimEnd('/')), branch =>
            {
                branch.UseRouting();
                branch.UseEndpoints(e => e.MapAcmeChallenges(challenges));
            });
            renewer = new AcmeRenewer(acme, challenges, meter, time, logger);
        }

        web.Run(handler.HandleAsync);
        if (options.FastHits)
        {
            fastPath = new HitFastPath(handler, options.KeepAliveTimeout, options.RequestHeadersTimeout, options.MinResponseDataRate, time, logger);
        }

        // Only origins some behavior uses are probed.
        var used = behaviors.All.SelectMany(b => b.Target.Origins).Distinct().ToList();
        var prober = new HealthProber(used, time, logger, () => releaseState.Live?.View.Id);

        var admin = KestrelApps.Create(logging, kestrel => kestrel.Listen(options.AdminListen));
        new AdminApi(options.Name, options.AdminToken, cache, used, exporter, logger, releases).Map(admin);

        if (renewer is not null)
        {
            owned.Add(renewer);
        }

        owned.Add(releases);
        owned.Add(prober);
        owned.Add(new Disposer(() =>
        {
            fastPath?.Dispose();
            accessLog.Dispose();
            collapser.Dispose();
            catalog.Dispose();

            originMetrics.Dispose();
            exporter.Dispose();
            meter.Dispose();
            certificates?.Dispose();
        }));

        var host = new EdgeHost(web, admin, owned, cache, used, releases);
        try
        {
            releases.Start();
            await web.StartAsync(cancellationToken);
            await admin.StartAsync(cancellationToken);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        prober.Start();
        renewer?.Start();
        var addresses = KestrelApps.BoundUrls(web).ToList();
        host.HttpUrl = addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp);
        host.HttpsUrl = addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttps);
        handler.HttpsPort = host.HttpsUrl?.Port;
        host.AdminUrl = KestrelApps.BoundUrls(admin).First();
        return host;
    }

    private static List<Measurement<double>> ExpirySeconds(CertificateStore store, TimeProvider time)
    {
        var certificate = store.Current;
        var seconds = (certificate.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime).TotalSeconds;
        var san = certificate.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var names = san is null ? [certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false)] : san.EnumerateDnsNames().Concat(san.EnumerateIPAddresses().Select(ip => ip.ToString())).ToList();
        return names.Select(n => new Measurement<double>(seconds, new KeyValuePair<string, object?>("name", n))).ToList();
    }

    /// <summary>Completes when the visitor listener is told to stop (Ctrl-C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        KestrelApps.WaitForAnyStopAsync(cancellationToken, _web, _admin);

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _admin.StopAsync();
        await _web.DisposeAsync();
        await _admin.DisposeAsync();
        foreach (var d in _owned)
        {
            await d.DisposeAsync();
        }
    }

    private sealed class Disposer(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Hands every instrument to the edge's own Meter, so one exporter sees origin and edge series alike.</summary>
    private sealed class SingleMeterFactory(Meter meter) : IMeterFactory
    {
        public Meter Create(MeterOptions options) => meter;

        public void Dispose()
        {
        }
    }
}

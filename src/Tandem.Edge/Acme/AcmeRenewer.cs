using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Tandem.Edge.Acme;

/// <summary>
/// Keeps the edge's certificate files current over ACME: obtains one at start when there is none
/// (or it misses a name, or is past its renewal point), then sleeps until the renewal point and
/// renews. A failure is logged, counted and retried with back-off (<see cref="AcmeSchedule"/>)
/// while the current certificate keeps serving. The files are written with
/// <see cref="CertificateFiles"/>; the edge's CertificateStore picks them up.
/// </summary>
public sealed partial class AcmeRenewer : IAsyncDisposable
{
    /// <summary>The longest single sleep; the schedule is re-read after it (Task.Delay's limit is ~49 days).</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromDays(1);

    private readonly EdgeAcmeOptions _options;
    private readonly Http01Challenges _challenges;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AcmeSchedule _schedule;
    private readonly Counter<long> _failures;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public AcmeRenewer(EdgeAcmeOptions options, Http01Challenges challenges, Meter meter, TimeProvider time, ILogger logger)
    {
        _options = options;
        _challenges = challenges;
        _time = time;
        _logger = logger;
        _schedule = new AcmeSchedule(options.Names, options.RenewBeforeFraction, time);
        _failures = meter.CreateCounter<long>("tandem_edge_acme_failures_total", description: "Failed attempts to obtain or renew the edge's certificate over ACME.");
    }

    /// <summary>Certificates written since start.</summary>
    public int Obtained { get; private set; }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait;
            using (var current = ReadCurrent())
            {
                wait = _schedule.UntilRenewal(current);
            }

            if (wait == TimeSpan.Zero)
            {
                try
                {
                    await ObtainAsync(ct);
                    _schedule.Succeeded();
                    Obtained++;
                    continue;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    _failures.Add(1);
                    wait = _schedule.Failed();
                    if (_logger.IsEnabled(LogLevel.Warning))
                    {
                        Failed(_logger, _options.DirectoryUrl, ex.Message, _schedule.ConsecutiveFailures, wait);
                    }
                }
            }
            else
            {
                var renewAt = _time.GetUtcNow() + wait;
                Scheduled(_logger, renewAt);
            }

            try
            {
                await Task.Delay(wait < MaxSleep ? wait : MaxSleep, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The leaf of the certificate file, or null when there is none that parses.</summary>
    private X509Certificate2? ReadCurrent()
    {
        try
        {
            return File.Exists(_options.CertificateFile) && File.Exists(_options.KeyFile)
                ? X509Certificate2.CreateFromPem(File.ReadAllText(_options.CertificateFile))
                : null;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private async Task ObtainAsync(CancellationToken ct)
    {
        using var root = _options.CaRootFile is { } file ? X509Certificate2.CreateFromPem(File.ReadAllText(file)) : null;
        using var http = AcmeClient.CreateHttpClient(root);
        var store = new AcmeAccountStore(_options.DataDir);
        using var key = store.LoadOrCreateKey();
        var client = new AcmeClient(http, _options.DirectoryUrl, key, new AcmeClientOptions { Contact = _options.Contact }, _time);
        var directory = _options.DirectoryUrl.ToString();
        var account = await client.EnsureAccountAsync(ct);
        if (store.LoadAccountUrl(directory) != account)
        {
            store.SaveAccountUrl(directory, account);
        }

        var issued = await client.ObtainCertificateAsync(_options.Names, _challenges, ct);
        CertificateFiles.Write(_options.CertificateFile, _options.KeyFile, issued.ChainPem, issued.KeyPem);
        using var leaf = X509Certificate2.CreateFromPem(issued.ChainPem);
        var names = string.Join(", ", _options.Names);
        var notAfter = leaf.NotAfter.ToUniversalTime();
        Issued(_logger, names, leaf.Issuer, notAfter);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    [LoggerMessage(EventId = 340, Level = LogLevel.Warning, Message = "ACME: could not obtain the certificate from {Directory}: {Problem}; failure {Failures} in a row, trying again in {RetryIn}; the current certificate keeps serving")]
    private static partial void Failed(ILogger logger, Uri directory, string problem, int failures, TimeSpan retryIn);

    [LoggerMessage(EventId = 341, Level = LogLevel.Information, Message = "ACME: certificate for {Names} issued by {Issuer}, valid until {NotAfter:u}")]
    private static partial void Issued(ILogger logger, string names, string issuer, DateTime notAfter);

    [LoggerMessage(EventId = 342, Level = LogLevel.Information, Message = "ACME: certificate is current; renewing at {RenewAt:u}")]
    private static partial void Scheduled(ILogger logger, DateTimeOffset renewAt);
}

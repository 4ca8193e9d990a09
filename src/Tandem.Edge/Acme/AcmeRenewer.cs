using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Tandem.Edge.Acme.Sharing;

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
    private readonly Counter<long> _issued;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset _announced;

    public AcmeRenewer(EdgeAcmeOptions options, Http01Challenges challenges, Meter meter, TimeProvider time, ILogger logger)
    {
        _options = options;
        _challenges = challenges;
        _time = time;
        _logger = logger;
        _schedule = new AcmeSchedule(options.Names, options.RenewBeforeFraction, time, options.FirstRetry);
        _failures = meter.CreateCounter<long>("tandem_edge_acme_failures_total", description: "Failed attempts to obtain or renew the edge's certificate over ACME.");
        _issued = meter.CreateCounter<long>("tandem_edge_acme_certificates_total", description: "Certificates this edge obtained over ACME (not counting ones taken up from a share).");
    }

    /// <summary>Certificates written since start.</summary>
    public int Obtained { get; private set; }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>How long an edge may hold the share's renewal lease; an edge that dies holding it is taken over after this.</summary>
    public static readonly TimeSpan LeaseTime = TimeSpan.FromMinutes(5);

    /// <summary>How soon an edge that found the lease taken looks again for the certificate the holder writes.</summary>
    public static readonly TimeSpan LeaseRetry = TimeSpan.FromSeconds(5);

    /// <summary>With a share, the longest sleep before looking for a certificate another edge wrote.</summary>
    public static readonly TimeSpan SharePoll = TimeSpan.FromMinutes(10);

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await StepAsync(ct);
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

            if (wait == TimeSpan.Zero)
            {
                continue;
            }

            var cap = _options.Share is null ? MaxSleep : SharePoll;
            try
            {
                await Task.Delay(wait < cap ? wait : cap, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: take up the share's certificate, renew when due, and say how long to sleep.</summary>
    private async Task<TimeSpan> StepAsync(CancellationToken ct)
    {
        var share = _options.Share;
        if (share is not null)
        {
            await AdoptSharedAsync(share, ct);
        }

        TimeSpan wait;
        bool urgent;
        using (var current = ReadCurrent())
        {
            wait = _schedule.UntilRenewal(current);
            urgent = _schedule.Urgent(current);
        }

        if (wait > TimeSpan.Zero)
        {
            // Said once per certificate, not on every look at the share.
            var renewAt = _time.GetUtcNow() + wait;
            if (Math.Abs((renewAt - _announced).TotalSeconds) > 60)
            {
                _announced = renewAt;
                Scheduled(_logger, renewAt);
            }

            return wait;
        }

        if (share is null)
        {
            await ObtainAsync(null, ct);
            return TimeSpan.Zero;
        }

        bool leased;
        try
        {
            var now = _time.GetUtcNow();
            leased = await share.TryLeaseAsync(_options.Holder, now, now + LeaseTime, ct);
        }
        catch (Exception ex) when (urgent && ex is not OperationCanceledException)
        {
            // The share is out of reach and the certificate is about to run out: order alone.
            ShareUnreachable(_logger, share.Description, ex.Message);
            await ObtainAsync(null, ct);
            return TimeSpan.Zero;
        }

        if (!leased)
        {
            LeaseTaken(_logger, share.Description);
            return LeaseRetry;
        }

        try
        {
            // Another edge may have written a new certificate between our look and the lease.
            if (!await AdoptSharedAsync(share, ct))
            {
                await ObtainAsync(share, ct);
            }
        }
        finally
        {
            try
            {
                await share.ReleaseLeaseAsync(_options.Holder, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                ShareUnreachable(_logger, share.Description, ex.Message); // the lease runs out by itself
            }
        }

        return TimeSpan.Zero;
    }

    /// <summary>Writes the share's certificate to this edge's files when it covers the names and outlasts the one here; true when it did.</summary>
    private async Task<bool> AdoptSharedAsync(CertificateShare share, CancellationToken ct)
    {
        SharedCertificate? shared;
        try
        {
            shared = await share.ReadCertificateAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ShareUnreachable(_logger, share.Description, ex.Message);
            return false;
        }

        if (shared is null)
        {
            return false;
        }

        using var leaf = ParseLeaf(shared.ChainPem);
        using var current = ReadCurrent();
        if (leaf is null || !AcmeSchedule.Covers(leaf, _options.Names) || leaf.NotAfter.ToUniversalTime() <= _time.GetUtcNow().UtcDateTime ||
            (current is not null && AcmeSchedule.Covers(current, _options.Names) && leaf.NotAfter <= current.NotAfter))
        {
            return false;
        }

        CertificateFiles.Write(_options.CertificateFile, _options.KeyFile, shared.ChainPem, shared.KeyPem);
        var serial = leaf.SerialNumber;
        var notAfter = leaf.NotAfter.ToUniversalTime();
        Adopted(_logger, share.Description, serial, notAfter);
        _schedule.Succeeded();
        return true;
    }

    private static X509Certificate2? ParseLeaf(string chainPem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(chainPem);
        }
        catch (CryptographicException)
        {
            return null;
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

    /// <summary>Orders the certificate, answering HTTP-01 here (and through <paramref name="share"/> when given), and writes it to the share and this edge's files.</summary>
    private async Task ObtainAsync(CertificateShare? share, CancellationToken ct)
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

        var issued = await client.ObtainCertificateAsync(_options.Names, share is null ? _challenges.Local : _challenges, ct);
        if (share is not null)
        {
            await share.WriteCertificateAsync(new SharedCertificate(issued.ChainPem, issued.KeyPem), ct);
        }

        CertificateFiles.Write(_options.CertificateFile, _options.KeyFile, issued.ChainPem, issued.KeyPem);
        _schedule.Succeeded();
        Obtained++;
        _issued.Add(1);
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
        (_options.Share as IDisposable)?.Dispose();
    }

    [LoggerMessage(EventId = 340, Level = LogLevel.Warning, Message = "ACME: could not obtain the certificate from {Directory}: {Problem}; failure {Failures} in a row, trying again in {RetryIn}; the current certificate keeps serving")]
    private static partial void Failed(ILogger logger, Uri directory, string problem, int failures, TimeSpan retryIn);

    [LoggerMessage(EventId = 341, Level = LogLevel.Information, Message = "ACME: certificate for {Names} issued by {Issuer}, valid until {NotAfter:u}")]
    private static partial void Issued(ILogger logger, string names, string issuer, DateTime notAfter);

    [LoggerMessage(EventId = 343, Level = LogLevel.Information, Message = "ACME: took up the certificate another edge wrote to the {Share} (serial {Serial}, valid until {NotAfter:u})")]
    private static partial void Adopted(ILogger logger, string share, string serial, DateTime notAfter);

    [LoggerMessage(EventId = 344, Level = LogLevel.Information, Message = "ACME: another edge is renewing the certificate in the {Share}; looking again shortly")]
    private static partial void LeaseTaken(ILogger logger, string share);

    [LoggerMessage(EventId = 345, Level = LogLevel.Warning, Message = "ACME: the {Share} could not be reached: {Problem}")]
    private static partial void ShareUnreachable(ILogger logger, string share, string problem);

    [LoggerMessage(EventId = 342, Level = LogLevel.Information, Message = "ACME: certificate is current; renewing at {RenewAt:u}")]
    private static partial void Scheduled(ILogger logger, DateTimeOffset renewAt);
}

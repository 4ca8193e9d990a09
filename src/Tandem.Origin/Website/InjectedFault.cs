using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tandem.Core.Stack;

namespace Tandem.Origin.Website;

/// <summary>
/// The website endpoint's side of <c>tandem drill</c>'s "primary answering 5xx" and "primary
/// slow" scenarios: while <c>DATADIR/fault.json</c> (<see cref="OriginFault"/>) is present and
/// not expired, every website response is delayed and/or replaced by the fault's status, as a
/// failing region would answer. The file is read a few times a second by a timer, so the request
/// path only reads a field. The S3 API is never affected, so deploys and restores keep working.
/// </summary>
public sealed class InjectedFault : IDisposable
{
    /// <summary>How often the fault file is looked at.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly string _dataDirectory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private volatile OriginFault? _current;

    public InjectedFault(string dataDirectory, TimeProvider time, ILogger logger)
    {
        _dataDirectory = dataDirectory;
        _time = time;
        _logger = logger;
        Poll();
        _timer = time.CreateTimer(_ => Poll(), null, PollInterval, PollInterval);
    }

    /// <summary>The fault in force now, or null.</summary>
    public OriginFault? Current => _current is { } f && f.ActiveAt(_time.GetUtcNow()) ? f : null;

    /// <summary>Middleware for the website pipeline, ahead of the endpoint.</summary>
    public async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (Current is not { } fault)
        {
            await next();
            return;
        }

        if (fault.DelayMs > 0)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(fault.DelayMs), _time, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (fault.Status is not { } status)
        {
            await next();
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync($"{status}: fault injected by tandem drill ({OriginFault.FileName})\n", context.RequestAborted);
    }

    private void Poll()
    {
        var next = OriginFault.TryRead(_dataDirectory);
        if (next is not null && !next.ActiveAt(_time.GetUtcNow()))
        {
            next = null;
        }

        var previous = _current;
        if (previous == next)
        {
            return;
        }

        _current = next;
        if (next is null)
        {
            _logger.LogWarning("drill fault cleared: the website endpoint answers normally again");
        }
        else
        {
            _logger.LogWarning("drill fault in force until {Until}: status {Status}, delay {DelayMs} ms", next.Until, next.Status?.ToString() ?? "unchanged", next.DelayMs);
        }
    }

    public void Dispose() => _timer.Dispose();
}

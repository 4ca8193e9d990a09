using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Tandem.Core.Configuration;
using Tandem.Monitor.Alarms;

namespace Tandem.Monitor.Actions;

/// <summary>One value the alarm evaluated.</summary>
public sealed record NotificationValue(DateTimeOffset At, double? Value);

/// <summary>What actions receive for a state change; the webhook's JSON body.</summary>
public sealed record AlarmNotification(string Alarm, string OldState, string NewState, string Reason, IReadOnlyList<NotificationValue> Values, DateTimeOffset At,
    string Metric, string? Node, string Description);

/// <summary>
/// Runs alarm actions in the order the changes happened, one at a time, off the scrape loop:
/// a webhook (POST of the JSON notification), a log line, or a shell command with the change in
/// environment variables. Each has a timeout; a failing action is logged and does not stop the others.
/// </summary>
public sealed partial class AlarmNotifier : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Channel<(AlarmNotification Notification, IReadOnlyList<AlarmActionConfig> Actions)> _queue =
        Channel.CreateUnbounded<(AlarmNotification, IReadOnlyList<AlarmActionConfig>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly Task _worker;

    public AlarmNotifier(HttpClient http, ILogger logger)
    {
        _http = http;
        _logger = logger;
        _worker = Task.Run(RunAsync);
    }

    /// <summary>
    /// Queues the actions for a change. Actions run when the alarm enters or leaves ALARM; a change
    /// between OK and INSUFFICIENT_DATA (a start, a quiet metric) is kept in the history only.
    /// </summary>
    public void Notify(AlarmNotification notification, IReadOnlyList<AlarmActionConfig> actions)
    {
        if (notification.OldState == AlarmStates.Alarm || notification.NewState == AlarmStates.Alarm)
        {
            _queue.Writer.TryWrite((notification, actions));
        }
    }

    private async Task RunAsync()
    {
        await foreach (var (notification, actions) in _queue.Reader.ReadAllAsync())
        {
            foreach (var action in actions)
            {
                try
                {
                    await RunAsync(notification, action);
                }
                catch (Exception ex)
                {
                    LogActionFailed(_logger, notification.Alarm, Describe(action), ex.Message);
                }
            }
        }
    }

    private async Task RunAsync(AlarmNotification n, AlarmActionConfig action)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(action.TimeoutMs));
        if (action.Webhook is { } url)
        {
            using var response = await _http.PostAsJsonAsync(url, n, Json, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogActionFailed(_logger, n.Alarm, Describe(action), $"answered {(int)response.StatusCode}");
            }
        }
        else if (action.Log is true)
        {
            LogChange(_logger, n.Alarm, n.OldState, n.NewState, n.Reason);
        }
        else if (action.Command is { } command)
        {
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(command);
            start.Environment["TANDEM_ALARM"] = n.Alarm;
            start.Environment["TANDEM_ALARM_OLD_STATE"] = n.OldState;
            start.Environment["TANDEM_ALARM_STATE"] = n.NewState;
            start.Environment["TANDEM_ALARM_REASON"] = n.Reason;
            start.Environment["TANDEM_ALARM_METRIC"] = n.Metric;
            start.Environment["TANDEM_ALARM_AT"] = n.At.ToString("O");
            start.Environment["TANDEM_ALARM_JSON"] = JsonSerializer.Serialize(n, Json);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"did not finish within {action.TimeoutMs} ms and was killed");
            }

            if (process.ExitCode != 0)
            {
                LogActionFailed(_logger, n.Alarm, Describe(action), $"exited {process.ExitCode}: {(await stderr).Trim()}");
            }

            _ = await stdout;
        }
    }

    private static string Describe(AlarmActionConfig a) => a.Webhook is { } w ? $"webhook {w}" : a.Command is { } c ? $"command '{c}'" : "log";

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _worker.WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "alarm {Alarm}: {OldState} -> {NewState}: {Reason}")]
    private static partial void LogChange(ILogger logger, string alarm, string oldState, string newState, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "alarm {Alarm}: action {Action} failed: {Problem}")]
    private static partial void LogActionFailed(ILogger logger, string alarm, string action, string problem);
}

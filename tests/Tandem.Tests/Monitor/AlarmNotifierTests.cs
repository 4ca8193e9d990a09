using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tandem.Core.Configuration;
using Tandem.Monitor.Actions;
using Tandem.Monitor.Alarms;

namespace Tandem.Tests.Monitor;

public sealed class AlarmNotifierTests
{
    private static AlarmNotification Change(string from, string to) =>
        new("origin-failovers", from, to, "because", [new NotificationValue(DateTimeOffset.UnixEpoch, 3)], DateTimeOffset.UnixEpoch, "Failovers", null, "");

    [Fact]
    public async Task Command_RunsWithTheChangeInItsEnvironment_OnlyForChangesIntoOrOutOfAlarm()
    {
        using var dir = new TempFolder();
        var log = dir.File("calls.txt");
        var action = new AlarmActionConfig { Command = $"echo \"$TANDEM_ALARM $TANDEM_ALARM_OLD_STATE $TANDEM_ALARM_STATE $TANDEM_ALARM_REASON\" >> '{log}'" };
        using var http = new HttpClient();
        await using (var notifier = new AlarmNotifier(http, NullLogger.Instance))
        {
            notifier.Notify(Change(AlarmStates.InsufficientData, AlarmStates.Ok), [action]);
            notifier.Notify(Change(AlarmStates.Ok, AlarmStates.Alarm), [action]);
            notifier.Notify(Change(AlarmStates.Alarm, AlarmStates.InsufficientData), [action]);
            notifier.Notify(Change(AlarmStates.InsufficientData, AlarmStates.Ok), [action]);
        }

        Assert.Equal(["origin-failovers OK ALARM because", "origin-failovers ALARM INSUFFICIENT_DATA because"], await File.ReadAllLinesAsync(log));
    }

    [Fact]
    public async Task Log_WritesOneWarningLinePerChangeIntoOrOutOfAlarm()
    {
        var logger = new CapturingLogger();
        using var http = new HttpClient();
        await using (var notifier = new AlarmNotifier(http, logger))
        {
            notifier.Notify(Change(AlarmStates.InsufficientData, AlarmStates.Ok), [new AlarmActionConfig { Log = true }]);
            notifier.Notify(Change(AlarmStates.Ok, AlarmStates.Alarm), [new AlarmActionConfig { Log = true }]);
            notifier.Notify(Change(AlarmStates.Alarm, AlarmStates.Ok), [new AlarmActionConfig { Log = true }]);
        }

        Assert.Equal(
            [(LogLevel.Warning, "alarm origin-failovers: OK -> ALARM: because"), (LogLevel.Warning, "alarm origin-failovers: ALARM -> OK: because")],
            logger.Lines);
    }

    [Fact]
    public async Task ACommandPastItsTimeout_IsKilled_AndTheNextActionStillRuns()
    {
        using var dir = new TempFolder();
        var marker = dir.File("after.txt");
        using var http = new HttpClient();
        var started = DateTime.UtcNow;
        await using (var notifier = new AlarmNotifier(http, NullLogger.Instance))
        {
            notifier.Notify(Change(AlarmStates.Ok, AlarmStates.Alarm),
                [new AlarmActionConfig { Command = "sleep 30", TimeoutMs = 300 }, new AlarmActionConfig { Command = $"touch '{marker}'" }]);
        }

        Assert.True(File.Exists(marker));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }
}

/// <summary>Keeps every line written to it, with its level.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel, string)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue((logLevel, formatter(state, exception)));
}

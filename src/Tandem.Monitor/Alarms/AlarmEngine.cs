using Tandem.Monitor.Actions;
using Tandem.Monitor.Store;

namespace Tandem.Monitor.Alarms;

/// <summary>The current state of one alarm.</summary>
public sealed record AlarmStatus(AlarmDefinition Definition, string State, string Reason, DateTimeOffset Since);

/// <summary>
/// Evaluates every alarm after each scrape round against the stored points, keeps each alarm's
/// state (in the store, so a restart resumes it), records every change in the history and hands
/// changes to the notifier: actions run only on a change of state.
/// </summary>
public sealed class AlarmEngine
{
    private readonly SeriesStore _store;
    private readonly AlarmNotifier? _notifier;
    private readonly Dictionary<string, AlarmStatus> _states = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public AlarmEngine(IEnumerable<AlarmDefinition> alarms, SeriesStore store, AlarmNotifier? notifier, DateTimeOffset now)
    {
        _store = store;
        _notifier = notifier;
        var stored = store.States();
        foreach (var alarm in alarms)
        {
            _states[alarm.Name] = stored.TryGetValue(alarm.Name, out var s)
                ? new AlarmStatus(alarm, s.State, s.Reason, s.Since)
                : new AlarmStatus(alarm, AlarmStates.InsufficientData, "Unchecked: Initial alarm creation", now);
        }
    }

    public IReadOnlyList<AlarmStatus> Statuses
    {
        get
        {
            lock (_gate)
            {
                return [.. _states.Values];
            }
        }
    }

    /// <summary>Evaluates every alarm at <paramref name="now"/>; returns the changes.</summary>
    public IReadOnlyList<AlarmNotification> Evaluate(DateTimeOffset now)
    {
        var changes = new List<AlarmNotification>();
        foreach (var status in Statuses)
        {
            var alarm = status.Definition;
            // No node: the total series (stored with node ""), not every node's series together.
            var points = _store.Read(alarm.Config.Metric, alarm.Config.Node ?? "", now - (alarm.Period * alarm.N), now).Select(p => p.Point).ToList();
            var datapoints = AlarmEvaluator.Datapoints(alarm, points, now);
            var decision = AlarmEvaluator.Evaluate(alarm, datapoints, status.State);
            if (!decision.Changed)
            {
                continue;
            }

            var notification = new AlarmNotification(alarm.Name, status.State, decision.State, decision.Reason,
                [.. datapoints.Select(d => new NotificationValue(d.PeriodStart, d.Value))], now, alarm.Config.Metric, alarm.Config.Node, alarm.Config.Description);
            _store.RecordTransition(new AlarmHistoryEntry(alarm.Name, now, status.State, decision.State, decision.Reason));
            lock (_gate)
            {
                _states[alarm.Name] = new AlarmStatus(alarm, decision.State, decision.Reason, now);
            }

            _notifier?.Notify(notification, alarm.Config.Actions);
            changes.Add(notification);
        }

        return changes;
    }
}

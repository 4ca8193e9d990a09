using Microsoft.Data.Sqlite;
using Tandem.Monitor.Scraping;

namespace Tandem.Monitor.Store;

/// <summary>A stored point of one series.</summary>
public readonly record struct StoredPoint(string Labels, DateTimeOffset At, double Value, double Span);

/// <summary>One alarm state change as kept in the history.</summary>
public sealed record AlarmHistoryEntry(string Alarm, DateTimeOffset At, string OldState, string NewState, string Reason);

/// <summary>
/// The monitor's embedded store, one SQLite file in WAL mode: points (metric, node, labels, at,
/// value, span), alarm states and alarm history. Memory stays bounded because nothing is kept in
/// memory: points older than the retention and history older than 14 days (CloudWatch's two
/// weeks) are deleted by <see cref="Sweep"/>. One connection behind a lock: a scrape round writes
/// a few dozen rows, so there is nothing to gain from more.
/// </summary>
public sealed class SeriesStore : IDisposable
{
    public static readonly TimeSpan HistoryRetention = TimeSpan.FromDays(14);

    private readonly SqliteConnection _db;
    private readonly Lock _gate = new();

    public SeriesStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _db.Open();
        Exec("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS points (metric TEXT NOT NULL, node TEXT NOT NULL, labels TEXT NOT NULL, at INTEGER NOT NULL, value REAL NOT NULL, span REAL NOT NULL);
            CREATE INDEX IF NOT EXISTS points_by_metric ON points (metric, node, at);
            CREATE INDEX IF NOT EXISTS points_by_time ON points (at);
            CREATE TABLE IF NOT EXISTS alarm_state (alarm TEXT PRIMARY KEY, state TEXT NOT NULL, reason TEXT NOT NULL, since INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS alarm_history (alarm TEXT NOT NULL, at INTEGER NOT NULL, old_state TEXT NOT NULL, new_state TEXT NOT NULL, reason TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS alarm_history_by_time ON alarm_history (at);
            """);
    }

    /// <summary>Writes one scrape round's points at <paramref name="at"/> in one transaction.</summary>
    public void Add(IEnumerable<DerivedPoint> points, DateTimeOffset at)
    {
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "INSERT INTO points (metric, node, labels, at, value, span) VALUES ($m, $n, $l, $at, $v, $s)";
            var m = cmd.Parameters.Add("$m", SqliteType.Text);
            var n = cmd.Parameters.Add("$n", SqliteType.Text);
            var l = cmd.Parameters.Add("$l", SqliteType.Text);
            var t = cmd.Parameters.Add("$at", SqliteType.Integer);
            var v = cmd.Parameters.Add("$v", SqliteType.Real);
            var s = cmd.Parameters.Add("$s", SqliteType.Real);
            foreach (var p in points)
            {
                if (!double.IsFinite(p.Value))
                {
                    continue;
                }

                (m.Value, n.Value, l.Value, t.Value, v.Value, s.Value) = (p.Metric, p.Node ?? "", p.Labels, at.ToUnixTimeMilliseconds(), p.Value, p.Span);
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    /// <summary>
    /// Points of <paramref name="metric"/> with <paramref name="from"/> &lt; at &lt;= <paramref name="to"/>,
    /// by node ("" is the total), oldest first. A null <paramref name="node"/> reads every node and the total;
    /// "" the total only.
    /// </summary>
    public IReadOnlyList<(string Node, StoredPoint Point)> Read(string metric, string? node, DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = node is null
                ? "SELECT node, labels, at, value, span FROM points WHERE metric = $m AND at > $from AND at <= $to ORDER BY at"
                : "SELECT node, labels, at, value, span FROM points WHERE metric = $m AND node = $n AND at > $from AND at <= $to ORDER BY at";
            cmd.Parameters.AddWithValue("$m", metric);
            cmd.Parameters.AddWithValue("$n", node ?? "");
            cmd.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            using var r = cmd.ExecuteReader();
            var list = new List<(string, StoredPoint)>();
            while (r.Read())
            {
                list.Add((r.GetString(0), new StoredPoint(r.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetDouble(3), r.GetDouble(4))));
            }

            return list;
        }
    }

    /// <summary>How many points are stored.</summary>
    public long Count()
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM points";
            return (long)cmd.ExecuteScalar()!;
        }
    }

    /// <summary>Deletes points older than <paramref name="pointsBefore"/> and history older than 14 days.</summary>
    public void Sweep(DateTimeOffset pointsBefore, DateTimeOffset now)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM points WHERE at < $p; DELETE FROM alarm_history WHERE at < $h";
            cmd.Parameters.AddWithValue("$p", pointsBefore.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$h", (now - HistoryRetention).ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Records a state change: the alarm's current state and a history row, together.</summary>
    public void RecordTransition(AlarmHistoryEntry entry)
    {
        lock (_gate)
        {
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO alarm_state (alarm, state, reason, since) VALUES ($a, $new, $r, $at)
                  ON CONFLICT (alarm) DO UPDATE SET state = excluded.state, reason = excluded.reason, since = excluded.since;
                INSERT INTO alarm_history (alarm, at, old_state, new_state, reason) VALUES ($a, $at, $old, $new, $r);
                """;
            cmd.Parameters.AddWithValue("$a", entry.Alarm);
            cmd.Parameters.AddWithValue("$at", entry.At.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$old", entry.OldState);
            cmd.Parameters.AddWithValue("$new", entry.NewState);
            cmd.Parameters.AddWithValue("$r", entry.Reason);
            cmd.ExecuteNonQuery();
            tx.Commit();
        }
    }

    /// <summary>The last recorded state of every alarm: (state, reason, since).</summary>
    public IReadOnlyDictionary<string, (string State, string Reason, DateTimeOffset Since)> States()
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT alarm, state, reason, since FROM alarm_state";
            using var r = cmd.ExecuteReader();
            var states = new Dictionary<string, (string, string, DateTimeOffset)>(StringComparer.Ordinal);
            while (r.Read())
            {
                states[r.GetString(0)] = (r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)));
            }

            return states;
        }
    }

    /// <summary>The newest <paramref name="limit"/> history entries, newest first.</summary>
    public IReadOnlyList<AlarmHistoryEntry> History(int limit = 200)
    {
        lock (_gate)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT alarm, at, old_state, new_state, reason FROM alarm_history ORDER BY at DESC, rowid DESC LIMIT $n";
            cmd.Parameters.AddWithValue("$n", limit);
            using var r = cmd.ExecuteReader();
            var list = new List<AlarmHistoryEntry>();
            while (r.Read())
            {
                list.Add(new AlarmHistoryEntry(r.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2), r.GetString(3), r.GetString(4)));
            }

            return list;
        }
    }

    /// <summary>Labels from their stored form ("origin=primary;target=x") as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string> ParseLabels(string labels) =>
        labels.Length == 0
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : labels.Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);

    public void Dispose()
    {
        lock (_gate)
        {
            _db.Dispose();
        }
    }

    private void Exec(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}

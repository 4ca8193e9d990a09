using Tandem.Monitor.Scraping;
using Tandem.Monitor.Store;

namespace Tandem.Tests.Monitor;

public sealed class SeriesStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Sweep_DropsPointsPastTheRetention_AndHistoryPastTwoWeeks()
    {
        using var dir = new TempFolder();
        using var store = new SeriesStore(dir.File("m.db"));
        store.Add([new DerivedPoint("Requests", "edge-1", "", 1, 10)], Now - TimeSpan.FromHours(26));
        store.Add([new DerivedPoint("Requests", "edge-1", "", 2, 10), new DerivedPoint("Requests", null, "", 2, 10)], Now - TimeSpan.FromHours(1));
        store.RecordTransition(new AlarmHistoryEntry("a", Now - TimeSpan.FromDays(15), "OK", "ALARM", "old"));
        store.RecordTransition(new AlarmHistoryEntry("a", Now - TimeSpan.FromDays(1), "ALARM", "OK", "new"));

        store.Sweep(Now - TimeSpan.FromHours(25), Now);

        Assert.Equal(2, store.Count());
        Assert.Equal(["edge-1"], store.Read("Requests", "edge-1", Now - TimeSpan.FromDays(2), Now).Select(p => p.Node));
        Assert.Equal([""], store.Read("Requests", "", Now - TimeSpan.FromDays(2), Now).Select(p => p.Node));
        Assert.Equal(2, store.Read("Requests", null, Now - TimeSpan.FromDays(2), Now).Count);
        Assert.Equal(["new"], store.History().Select(h => h.Reason));
        Assert.Equal("OK", store.States()["a"].State);
    }
}

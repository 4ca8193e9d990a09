using Tandem.Edge.Releases;
using static Tandem.Tests.Edge.Releases.ReleaseTestData;

namespace Tandem.Tests.Edge.Releases;

public sealed class ReleaseStateTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tandem-release-state-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private ReleaseState NewState() => new(new ReleaseStateStore(_dir));

    [Fact]
    public void TryLoad_NoStateFile_False()
    {
        Assert.False(NewState().TryLoad());
    }

    [Fact]
    public void Activate_Unknown_NullAndNothingChanges()
    {
        var state = NewState();
        state.Add(Manifest("aaaaaaaaaaaa", "index.html=1"));
        state.Activate("aaaaaaaaaaaa", Created);
        Assert.Null(state.Activate("bbbbbbbbbbbb", Created));
        Assert.Equal("aaaaaaaaaaaa", state.Live!.View.Id);
    }

    [Fact]
    public void Activate_Persisted_RestartServesSameRelease()
    {
        var state = NewState();
        state.Add(Manifest("aaaaaaaaaaaa", "index.html=1"));
        state.Add(Manifest("bbbbbbbbbbbb", "index.html=2"));
        state.Activate("aaaaaaaaaaaa", Created);
        state.Activate("bbbbbbbbbbbb", Created.AddMinutes(1));

        var restarted = NewState();
        Assert.True(restarted.TryLoad());
        Assert.Equal("bbbbbbbbbbbb", restarted.Live!.View.Id);
        Assert.Equal("aaaaaaaaaaaa", restarted.Live.Previous);
        Assert.Equal(Created.AddMinutes(1), restarted.Live.Activated);
        Assert.NotNull(restarted.Find("aaaaaaaaaaaa"));
        Assert.Equal(state.Live!.View.Key("/index.html", null, false), restarted.Live.View.Key("/index.html", null, false));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void TryLoad_LiveManifestGone_False()
    {
        var state = NewState();
        state.Add(Manifest("aaaaaaaaaaaa", "index.html=1"));
        state.Activate("aaaaaaaaaaaa", Created);
        File.Delete(new ReleaseStateStore(_dir).ManifestPath("aaaaaaaaaaaa"));
        var restarted = NewState();
        Assert.False(restarted.TryLoad());
        Assert.Null(restarted.Live);
    }

    [Fact]
    public void TryLoad_DamagedStateFile_Throws()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, ReleaseStateStore.StateFileName), "{not json");
        Assert.Throws<FormatException>(() => NewState().TryLoad());
    }

    [Fact]
    public void Add_BeyondRetained_DropsOldestButNeverLive()
    {
        var state = NewState();
        state.Add(Manifest("000000000000", "index.html=0"));
        state.Activate("000000000000", Created);
        for (var i = 1; i <= ReleaseState.Retained + 3; i++)
        {
            state.Add(Manifest(i.ToString("x12"), "index.html=" + i));
        }

        Assert.Equal(ReleaseState.Retained + 1, state.Known.Count);
        Assert.NotNull(state.Find("000000000000"));
        Assert.Null(state.Find(1.ToString("x12")));
        Assert.False(File.Exists(new ReleaseStateStore(_dir).ManifestPath(1.ToString("x12"))));
        Assert.NotNull(state.Find((ReleaseState.Retained + 3).ToString("x12")));
    }

    [Fact]
    public void Activate_OnlyIfNoneLive_DoesNotReplaceLive()
    {
        var state = NewState();
        state.Add(Manifest("aaaaaaaaaaaa", "index.html=1"));
        state.Add(Manifest("bbbbbbbbbbbb", "index.html=2"));
        state.Activate("bbbbbbbbbbbb", Created);
        Assert.Null(state.Activate("aaaaaaaaaaaa", Created, onlyIfNoneLive: true));
        Assert.Equal("bbbbbbbbbbbb", state.Live!.View.Id);
    }
}

using Tandem.Core.Releases;

namespace Tandem.Edge.Releases;

/// <summary>The live release of an edge, with when it went live and what was live before.</summary>
internal sealed record LiveRelease(ReleaseView View, DateTimeOffset Activated, string? Previous);

/// <summary>
/// The releases one edge knows and the one it serves. Readers (every visitor request) see
/// <see cref="Live"/> and <see cref="Find"/> without locks: each is one reference to an object
/// that never changes. Writers (admin calls, the start-up lookup) take a lock, persist, then swap
/// the reference, so a release switch is one assignment and what is on disk is never behind
/// what visitors were served.
/// </summary>
internal sealed class ReleaseState
{
    /// <summary>Releases kept besides the live one: enough for pinned visitors and a rollback or two, few enough to stay small.</summary>
    public const int Retained = 8;

    private readonly Lock _write = new();
    private readonly ReleaseStateStore? _store;
    private readonly string _indexDocument;
    private volatile LiveRelease? _live;
    private volatile Dictionary<string, ReleaseView> _known = new(StringComparer.Ordinal);
    private List<string> _order = [];

    /// <param name="store">Where state is persisted; null keeps it in memory only.</param>
    /// <param name="indexDocument">site.indexDocument, so "/dir/" finds "dir/index.html" in a manifest.</param>
    public ReleaseState(ReleaseStateStore? store, string indexDocument = "index.html")
    {
        _store = store;
        _indexDocument = indexDocument;
    }

    /// <summary>The live release, or null when the edge serves the bucket root (no release yet).</summary>
    public LiveRelease? Live => _live;

    /// <summary>A release the edge knows (prepared, live or retained), or null.</summary>
    public ReleaseView? Find(string id) => _known.GetValueOrDefault(id);

    /// <summary>Known release ids, oldest first.</summary>
    public IReadOnlyList<string> Known
    {
        get
        {
            lock (_write)
            {
                return [.. _order];
            }
        }
    }

    /// <summary>Restores what <see cref="ReleaseStateStore"/> holds; false when there is nothing (or no store).</summary>
    /// <exception cref="FormatException">The state file is damaged.</exception>
    public bool TryLoad()
    {
        if (_store?.Load() is not { } loaded)
        {
            return false;
        }

        lock (_write)
        {
            var known = new Dictionary<string, ReleaseView>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var id in loaded.State.Known)
            {
                if (loaded.Manifests.TryGetValue(id, out var m) && !known.ContainsKey(id))
                {
                    known[id] = ReleaseView.Create(m, _indexDocument);
                    order.Add(id);
                }
            }

            LiveRelease? live = null;
            if (loaded.State.Live is { } liveId && loaded.Manifests.TryGetValue(liveId, out var liveManifest))
            {
                if (!known.TryGetValue(liveId, out var view))
                {
                    known[liveId] = view = ReleaseView.Create(liveManifest, _indexDocument);
                    order.Add(liveId);
                }

                live = new LiveRelease(view, loaded.State.Activated ?? DateTimeOffset.UnixEpoch, loaded.State.Previous);
            }

            _order = order;
            _known = known;
            _live = live;
            return live is not null || loaded.State.Live is null;
        }
    }

    /// <summary>Keeps <paramref name="manifest"/> as known (persisted first); returns its view.</summary>
    public ReleaseView Add(ReleaseManifest manifest)
    {
        lock (_write)
        {
            if (_known.TryGetValue(manifest.Id, out var existing))
            {
                Touch(manifest.Id);
                Persist();
                return existing;
            }

            var view = ReleaseView.Create(manifest, _indexDocument);
            _store?.SaveManifest(manifest);
            var known = new Dictionary<string, ReleaseView>(_known, StringComparer.Ordinal) { [manifest.Id] = view };
            var order = _order;
            _order = [.. order, manifest.Id];
            var dropped = Trim(known);
            try
            {
                Persist();
            }
            catch
            {
                _order = order;
                throw;
            }

            _known = known;
            foreach (var id in dropped)
            {
                _store?.DeleteManifest(id);
            }

            return view;
        }
    }

    /// <summary>
    /// Makes the known release <paramref name="id"/> live: persisted, then one reference swap.
    /// Null when the edge does not know it, or <paramref name="onlyIfNoneLive"/> is set and a
    /// release is live already (nothing changes then).
    /// </summary>
    public LiveRelease? Activate(string id, DateTimeOffset now, bool onlyIfNoneLive = false)
    {
        lock (_write)
        {
            if (!_known.TryGetValue(id, out var view) || (onlyIfNoneLive && _live is not null))
            {
                return null;
            }

            var current = _live;
            if (current?.View.Id == id)
            {
                return current;
            }

            var next = new LiveRelease(view, now, current?.View.Id);
            Persist(next);
            Touch(id);
            _live = next;
            return next;
        }
    }

    private void Touch(string id)
    {
        _order.Remove(id);
        _order.Add(id);
    }

    /// <summary>Drops the oldest releases beyond <see cref="Retained"/> (never the live one); returns their ids.</summary>
    private List<string> Trim(Dictionary<string, ReleaseView> known)
    {
        var dropped = new List<string>();
        var liveId = _live?.View.Id;
        while (_order.Count > Retained + 1)
        {
            var oldest = _order.FirstOrDefault(id => id != liveId);
            if (oldest is null)
            {
                break;
            }

            _order.Remove(oldest);
            known.Remove(oldest);
            dropped.Add(oldest);
        }

        return dropped;
    }

    private void Persist(LiveRelease? live = null)
    {
        live ??= _live;
        _store?.Save(new ReleaseStateFile { Live = live?.View.Id, Activated = live?.Activated, Previous = live?.Previous, Known = [.. _order] });
    }
}

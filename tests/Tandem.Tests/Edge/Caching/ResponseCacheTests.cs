using Tandem.Core.Configuration;
using Tandem.Edge.Caching;

namespace Tandem.Tests.Edge.Caching;

public class ResponseCacheTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);

    private static CacheEntry Entry(int bodyBytes, string cacheControl = "max-age=600")
    {
        var headers = ResponseHeaders.Of("Content-Type", "image/png", "Cache-Control", cacheControl);
        var decision = FreshnessPolicy.Decide(200, headers, T0, T0, new CachePolicyConfig { StaleIfErrorTtl = 0 }, TimeSpan.FromSeconds(10));
        return CacheEntry.Create(200, headers, new byte[bodyBytes], decision, "primary", T0, T0);
    }

    private static long Charge(string key, CacheEntry entry) => entry.Size + ResponseCache.KeyBytes(key);

    // A cache with room for exactly three 1,000-byte entries under single-letter paths.
    private static ResponseCache ForThree(out ManualTimeProvider clock)
    {
        clock = new ManualTimeProvider(T0);
        return new ResponseCache(3 * Charge("|/a", Entry(1000)), clock);
    }

    [Fact]
    public void Set_OverBudget_EvictsLeastRecentlyUsed()
    {
        var cache = ForThree(out _);
        cache.Set("|/a", Entry(1000));
        cache.Set("|/b", Entry(1000));
        cache.Set("|/c", Entry(1000));
        Assert.True(cache.TryGet("|/a", out _));

        cache.Set("|/d", Entry(1000));

        Assert.False(cache.TryGet("|/b", out _));
        Assert.True(cache.TryGet("|/a", out _));
        Assert.True(cache.TryGet("|/c", out _));
        Assert.True(cache.TryGet("|/d", out _));
        Assert.Equal(1, cache.Evictions);
    }

    [Fact]
    public void Set_OverBudgetWithoutHits_EvictsOldestFirst()
    {
        var cache = ForThree(out _);
        foreach (var key in new[] { "|/a", "|/b", "|/c", "|/d", "|/e" })
        {
            cache.Set(key, Entry(1000));
        }

        Assert.Equal(["|/c", "|/d", "|/e"], new[] { "|/a", "|/b", "|/c", "|/d", "|/e" }.Where(key => cache.TryGet(key, out _)));
    }

    [Fact]
    public void Set_EveryOtherEntryHit_NewEntryStillKept()
    {
        var cache = ForThree(out _);
        cache.Set("|/a", Entry(1000));
        cache.Set("|/b", Entry(1000));
        cache.Set("|/c", Entry(1000));
        cache.TryGet("|/a", out _);
        cache.TryGet("|/b", out _);
        cache.TryGet("|/c", out _);

        cache.Set("|/d", Entry(1000));

        Assert.True(cache.TryGet("|/d", out _));
        Assert.False(cache.TryGet("|/a", out _));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void Set_HitEntryPastEveryWindow_EvictedBeforeUnusedFreshOne()
    {
        var cache = ForThree(out var clock);
        cache.Set("|/s", Entry(1000, "max-age=10"));
        cache.Set("|/b", Entry(1000));
        cache.Set("|/c", Entry(1000));
        cache.TryGet("|/s", out _);
        clock.Advance(TimeSpan.FromSeconds(11));

        cache.Set("|/d", Entry(1000));

        Assert.False(cache.TryGet("|/s", out _));
        Assert.True(cache.TryGet("|/b", out _));
    }

    [Fact]
    public void Set_SameKey_Replaces()
    {
        var cache = new ResponseCache(1_000_000, TimeProvider.System);
        cache.Set("|/a", Entry(1000));
        var second = Entry(2000);

        cache.Set("|/a", second);

        Assert.Equal(1, cache.Count);
        Assert.Equal(Charge("|/a", second), cache.Bytes);
        Assert.True(cache.TryGet("|/a", out var found));
        Assert.Same(second, found);
    }

    [Fact]
    public void Set_LargerThanBudget_RefusedAndOldCopyDropped()
    {
        var cache = new ResponseCache(10_000, TimeProvider.System);
        cache.Set("|/a", Entry(1000));

        Assert.False(cache.Set("|/a", Entry(20_000)));

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
        Assert.False(cache.TryGet("|/a", out _));
    }

    [Fact]
    public void Set_SameEntryUnderTwoKeys_EachAccounted()
    {
        var cache = new ResponseCache(1_000_000, TimeProvider.System);
        var entry = CacheEntryTests.Html();
        cache.Set("|/a", entry);
        cache.Set("|/b", entry);
        Assert.True(cache.TryGet("|/b", out var copy));

        copy.TryGetVariant(ContentCoding.Gzip, out _);
        entry.TryGetVariant(ContentCoding.Brotli, out _);

        Assert.Equal(Charge("|/a", entry) + Charge("|/b", copy), cache.Bytes);
        cache.Remove("|/a");
        Assert.Equal(Charge("|/b", copy), cache.Bytes);
    }

    [Fact]
    public void TryGetVariant_StoredEntry_CacheBytesGrow()
    {
        var cache = new ResponseCache(1_000_000, TimeProvider.System);
        var entry = CacheEntryTests.Html();
        cache.Set("|/a", entry);
        var before = cache.Bytes;

        Assert.True(entry.TryGetVariant(ContentCoding.Brotli, out var brotli));

        Assert.Equal(before + brotli.Length, cache.Bytes);
        cache.Remove("|/a");
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void TryGetVariant_GrowthOverBudget_Evicts()
    {
        var entry = CacheEntryTests.Html();
        var cache = new ResponseCache(Charge("|/a", entry) + Charge("|/b", Entry(1000)) + 100, TimeProvider.System);
        cache.Set("|/b", Entry(1000));
        cache.Set("|/a", entry);

        entry.TryGetVariant(ContentCoding.Gzip, out _);

        Assert.False(cache.TryGet("|/b", out _));
        Assert.True(cache.Bytes <= cache.MaxBytes);
    }

    [Fact]
    public void TryGetVariant_AfterRemoval_NotCounted()
    {
        var cache = new ResponseCache(1_000_000, TimeProvider.System);
        var entry = CacheEntryTests.Html();
        cache.Set("|/a", entry);
        cache.Remove("|/a");

        entry.TryGetVariant(ContentCoding.Gzip, out _);

        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void TryGet_Counters_HitsAndMisses()
    {
        var cache = new ResponseCache(1_000_000, TimeProvider.System);
        cache.Set("|/a", Entry(10));

        cache.TryGet("|/a", out _);
        cache.TryGet("|/a", out _);
        cache.TryGet("|/nope", out _);

        Assert.Equal(2, cache.Hits);
        Assert.Equal(1, cache.Misses);
    }

    [Fact]
    public void Invalidate_ExactPath_OnlyThatKeyInEveryScope()
    {
        var cache = Filled("a|/index.html", "b|/index.html", "a|/index.html?v=2", "a|/about.html");

        Assert.Equal(2, cache.Invalidate("/index.html"));

        Assert.Equal(["a|/index.html?v=2", "a|/about.html"], Remaining(cache, "a|/index.html", "b|/index.html", "a|/index.html?v=2", "a|/about.html"));
    }

    [Fact]
    public void Invalidate_Prefix_EverythingUnderIt()
    {
        string[] keys = ["|/images/a.png", "|/images/b/c.png?v=1", "|/images", "|/img.png"];
        var cache = Filled(keys);

        Assert.Equal(2, cache.Invalidate("/images/*"));

        Assert.Equal(["|/images", "|/img.png"], Remaining(cache, keys));
    }

    [Fact]
    public void Invalidate_Everything_EmptyAndZeroBytes()
    {
        var cache = Filled("|/a", "|/b/c", "x|/d?e");

        Assert.Equal(3, cache.Invalidate("/*"));

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void Invalidate_NoMatch_Zero()
    {
        var cache = Filled("|/a");

        Assert.Equal(0, cache.Invalidate("/b"));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task Operations_ManyThreads_BudgetHeldAndBytesExact()
    {
        var entries = new[] { CacheEntryTests.Html(), Entry(3000), Entry(20_000), CacheEntryTests.Html(new byte[4000], "text/plain") };
        var cache = new ResponseCache(200_000, TimeProvider.System);
        var failures = 0;

        var workers = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(worker => Task.Run(() =>
        {
            var random = new Random(worker);
            try
            {
                for (var i = 0; i < 20_000; i++)
                {
                    var key = $"s{random.Next(3)}|/p{random.Next(8)}/{random.Next(40)}";
                    switch (random.Next(100))
                    {
                        case < 60:
                            if (cache.TryGet(key, out var found))
                            {
                                found.TryGetVariant((ContentCoding)random.Next(3), out _);
                            }

                            break;
                        case < 95:
                            // Fresh entries (no shared owner) and shared ones (copied on Set) both.
                            cache.Set(key, random.Next(2) == 0 ? entries[random.Next(entries.Length)] : CacheEntryTests.Html());
                            break;
                        case < 98:
                            cache.Remove(key);
                            break;
                        default:
                            cache.Invalidate($"/p{random.Next(8)}/*");
                            break;
                    }
                }
            }
            catch (Exception)
            {
                Interlocked.Increment(ref failures);
                throw;
            }
        })).ToArray();
        await Task.WhenAll(workers);

        Assert.Equal(0, failures);
        Assert.True(cache.Bytes <= cache.MaxBytes, $"{cache.Bytes} > {cache.MaxBytes}");
        Assert.True(cache.Count > 0);
        cache.Invalidate("/*");
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void Constructor_ZeroBudget_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResponseCache(0, TimeProvider.System));
    }

    private static ResponseCache Filled(params string[] keys)
    {
        var cache = new ResponseCache(1_000_000, TimeProvider.System);
        foreach (var key in keys)
        {
            cache.Set(key, Entry(100));
        }

        return cache;
    }

    private static string[] Remaining(ResponseCache cache, params string[] keys) => [.. keys.Where(key => cache.TryGet(key, out _))];
}

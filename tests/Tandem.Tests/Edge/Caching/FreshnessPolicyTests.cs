using Tandem.Core.Configuration;
using Tandem.Core.Http;
using Tandem.Edge.Caching;

namespace Tandem.Tests.Edge.Caching;

public class FreshnessPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan ErrorTtl = TimeSpan.FromSeconds(10);
    private static readonly CachePolicyConfig Defaults = new();

    private static CacheDecision Decide(int status, CachePolicyConfig? policy = null, params string[] headers) =>
        FreshnessPolicy.Decide(status, ResponseHeaders.Of([.. headers, "Date", HttpDate.Format(T0)]), T0, T0, policy ?? Defaults, ErrorTtl);

    private static CacheDecision Decide(params string[] headers) => Decide(200, null, headers);

    private static CacheEntry Store(CacheDecision decision, DateTimeOffset requestTime, DateTimeOffset responseTime, params string[] headers) =>
        CacheEntry.Create(200, ResponseHeaders.Of(headers), new byte[] { 1, 2, 3 }, decision, "primary", requestTime, responseTime);

    public static TheoryData<string?, int?, long, long, long, bool, long> Table() => new()
    {
        // cache-control, expires in (s), min, default, max → storable, lifetime (s)
        { null, null, 0, 86400, 31536000, true, 86400 },              // no header → DefaultTtl
        { "max-age=3600", null, 0, 86400, 300, true, 300 },            // CloudFront KC: MaxTTL 300 wins
        { "max-age=10800", 30 * 86400, 0, 86400, 31536000, true, 10800 }, // CloudFront KC: max-age over Expires
        { "no-store", null, 60, 86400, 31536000, true, 60 },           // MinTtl > 0 keeps no-store for MinTtl
        { "private", null, 60, 86400, 31536000, true, 60 },
        { "no-cache", null, 60, 86400, 31536000, true, 60 },
        { "s-maxage=120, max-age=60", null, 0, 86400, 31536000, true, 120 },
        { "max-age=60, s-maxage=120", null, 0, 86400, 31536000, true, 120 },
        { "max-age=60", null, 300, 86400, 31536000, true, 300 },       // raised to MinTtl
        { null, 600, 0, 86400, 31536000, true, 600 },                  // Expires minus Date
        { null, -600, 0, 86400, 31536000, true, 0 },                   // Expires in the past
        { null, null, 100000, 86400, 31536000, true, 100000 },         // max(MinTtl, DefaultTtl)
        { "public", null, 0, 3600, 31536000, true, 3600 },
        { "max-age=0", null, 0, 86400, 31536000, true, 0 },
        { "no-cache", null, 0, 86400, 31536000, true, 0 },             // stored, always revalidated
        { "no-cache, max-age=3600", null, 0, 86400, 31536000, true, 0 },
        { "max-age=60, max-age=120", null, 0, 86400, 31536000, true, 0 },
        { "max-age=\"600\"", null, 0, 86400, 31536000, true, 600 },
        { "no-store", null, 0, 86400, 31536000, false, 0 },
        { "private, max-age=600", null, 0, 86400, 31536000, false, 0 },
        { "no-store, max-age=600", null, 0, 86400, 31536000, false, 0 },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Decide_Table_LifetimeAsCloudFront(string? cacheControl, int? expiresIn, long min, long defaultTtl, long max, bool storable, long lifetime)
    {
        var headers = new List<string>();
        if (cacheControl is not null)
        {
            headers.AddRange(["Cache-Control", cacheControl]);
        }

        if (expiresIn is { } seconds)
        {
            headers.AddRange(["Expires", HttpDate.Format(T0.AddSeconds(seconds))]);
        }

        var decision = Decide(200, new CachePolicyConfig { MinTtl = min, DefaultTtl = defaultTtl, MaxTtl = max }, [.. headers]);

        Assert.Equal(storable, decision.Storable);
        Assert.Equal(TimeSpan.FromSeconds(lifetime), decision.FreshnessLifetime);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("not a date")]
    public void Decide_InvalidExpires_StoredButStale(string expires)
    {
        var decision = Decide("Expires", expires);

        Assert.True(decision.Storable);
        Assert.Equal(TimeSpan.Zero, decision.FreshnessLifetime);
    }

    [Fact]
    public void Decide_TwoDifferentExpires_Stale()
    {
        var decision = Decide("Expires", HttpDate.Format(T0.AddHours(1)), "Expires", HttpDate.Format(T0.AddHours(2)));

        Assert.Equal(TimeSpan.Zero, decision.FreshnessLifetime);
    }

    [Fact]
    public void Decide_ExpiresWithoutDate_MeasuredFromResponseTime()
    {
        var decision = FreshnessPolicy.Decide(200, ResponseHeaders.Of("Expires", HttpDate.Format(T0.AddSeconds(90))), T0, T0, Defaults, ErrorTtl);

        Assert.Equal(TimeSpan.FromSeconds(90), decision.FreshnessLifetime);
    }

    [Fact]
    public void Decide_PragmaNoCache_LifetimeZero()
    {
        var decision = Decide("Pragma", "no-cache");

        Assert.True(decision.Storable);
        Assert.Equal(TimeSpan.Zero, decision.FreshnessLifetime);
    }

    [Theory]
    [InlineData("max-age=3600", 0, 300, "max-age capped by max-ttl")]
    [InlineData("max-age=60", 300, 31536000, "max-age raised to min-ttl")]
    [InlineData("s-maxage=60", 0, 31536000, "s-maxage")]
    [InlineData("no-store", 60, 31536000, "no-store kept for min-ttl")]
    public void Decide_Clamps_ReasonSaysWhy(string cacheControl, long min, long max, string reason)
    {
        Assert.Equal(reason, Decide(200, new CachePolicyConfig { MinTtl = min, MaxTtl = max }, "Cache-Control", cacheControl).Reason);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(203)]
    [InlineData(204)]
    [InlineData(300)]
    [InlineData(301)]
    [InlineData(308)]
    public void Decide_HeuristicStatusWithoutFreshness_DefaultTtl(int status)
    {
        Assert.Equal(TimeSpan.FromSeconds(86400), Decide(status).FreshnessLifetime);
    }

    [Theory]
    [InlineData(302)]
    [InlineData(303)]
    [InlineData(307)]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(412)]
    [InlineData(429)]
    public void Decide_OtherStatusWithoutFreshness_NotStored(int status)
    {
        Assert.False(Decide(status).Storable);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(206)]
    [InlineData(304)]
    [InlineData(416)]
    public void Decide_StatusNeverStored_NotStoredEvenWithMaxAge(int status)
    {
        Assert.False(Decide(status, null, "Cache-Control", "max-age=600").Storable);
    }

    [Fact]
    public void Decide_RedirectWithMaxAge_Stored()
    {
        Assert.Equal(TimeSpan.FromSeconds(600), Decide(302, null, "Cache-Control", "max-age=600").FreshnessLifetime);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(405)]
    [InlineData(410)]
    [InlineData(414)]
    [InlineData(500)]
    [InlineData(501)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public void Decide_ErrorWithoutFreshness_ErrorTtl(int status)
    {
        var decision = Decide(status);

        Assert.True(decision.Storable);
        Assert.Equal(ErrorTtl, decision.FreshnessLifetime);
        Assert.Equal(TimeSpan.Zero, decision.StaleIfError);
        Assert.Equal(TimeSpan.Zero, decision.StaleWhileRevalidate);
    }

    [Theory]
    [InlineData("max-age=5", 5)]
    [InlineData("max-age=3600", 10)]
    [InlineData("s-maxage=3600, max-age=5", 10)]
    public void Decide_ServerErrorWithMaxAge_ErrorTtlNeverLonger(string cacheControl, long lifetime)
    {
        Assert.Equal(TimeSpan.FromSeconds(lifetime), Decide(503, null, "Cache-Control", cacheControl).FreshnessLifetime);
    }

    [Theory]
    [InlineData("max-age=0")]
    [InlineData("no-store")]
    [InlineData("no-cache")]
    [InlineData("private")]
    public void Decide_ServerErrorForbiddingStorage_NotStored(string cacheControl)
    {
        Assert.False(Decide(500, null, "Cache-Control", cacheControl).Storable);
    }

    [Fact]
    public void Decide_ErrorTtlZero_ErrorsNotStored()
    {
        var decision = FreshnessPolicy.Decide(503, ResponseHeaders.Empty, T0, T0, Defaults, TimeSpan.Zero);

        Assert.False(decision.Storable);
    }

    [Theory]
    [InlineData(403, "max-age=60", 60)]
    [InlineData(404, "max-age=3600", 3600)]
    [InlineData(400, "s-maxage=30", 30)]
    public void Decide_ClientErrorWithExplicitFreshness_NormalRulesNoStaleWindows(int status, string cacheControl, long lifetime)
    {
        var decision = Decide(status, null, "Cache-Control", cacheControl);

        Assert.Equal(TimeSpan.FromSeconds(lifetime), decision.FreshnessLifetime);
        Assert.Equal(TimeSpan.Zero, decision.StaleIfError);
    }

    [Theory]
    [InlineData("*", false)]
    [InlineData("Accept-Encoding", true)]
    [InlineData("accept-encoding", true)]
    [InlineData("Accept-Encoding, Origin", false)]
    [InlineData("Cookie", false)]
    [InlineData("", true)]
    public void Decide_Vary_OnlyAcceptEncodingStorable(string vary, bool storable)
    {
        Assert.Equal(storable, Decide("Cache-Control", "max-age=60", "Vary", vary).Storable);
    }

    [Fact]
    public void Decide_VaryOnTwoLines_EachLineChecked()
    {
        Assert.False(Decide("Vary", "Accept-Encoding", "Vary", "User-Agent").Storable);
    }

    [Theory]
    [InlineData("max-age=600")]
    [InlineData("public, max-age=600")]
    public void Decide_SetCookie_NotStored(string cacheControl)
    {
        var decision = Decide("Cache-Control", cacheControl, "Set-Cookie", "session=1");

        Assert.False(decision.Storable);
        Assert.Equal("set-cookie", decision.Reason);
    }

    [Theory]
    [InlineData("max-age=60", 0, 86400)]                                  // the policy's window
    [InlineData("max-age=60, stale-if-error=172800", 0, 172800)]          // the larger directive
    [InlineData("max-age=60, stale-if-error=60", 0, 86400)]               // the larger policy
    [InlineData("max-age=60, stale-if-error=0", 0, 0)]                    // explicit opt-out
    [InlineData("max-age=60, must-revalidate", 0, 0)]
    [InlineData("max-age=60, proxy-revalidate", 0, 0)]
    [InlineData("max-age=60, must-revalidate, stale-if-error=120", 0, 120)] // RFC 5861: regardless
    [InlineData("no-cache", 0, 0)]                                        // RFC 9111 4.2.4
    [InlineData("no-cache", 30, 86400)]                                   // CloudFront with MinTtl
    [InlineData("no-store", 30, 86400)]
    [InlineData("s-maxage=60", 0, 86400)]                                 // implied proxy-revalidate not applied
    public void Decide_StaleIfErrorWindow_AsDocumented(string cacheControl, long minTtl, long window)
    {
        var decision = Decide(200, new CachePolicyConfig { MinTtl = minTtl }, "Cache-Control", cacheControl);

        Assert.Equal(TimeSpan.FromSeconds(window), decision.StaleIfError);
    }

    [Theory]
    [InlineData("max-age=60, stale-while-revalidate=30", 30)]
    [InlineData("max-age=60", 0)]
    [InlineData("max-age=60, stale-while-revalidate=30, must-revalidate", 0)]
    [InlineData("no-cache, stale-while-revalidate=30", 0)]
    public void Decide_StaleWhileRevalidate_UnlessRevalidationRequired(string cacheControl, long window)
    {
        Assert.Equal(TimeSpan.FromSeconds(window), Decide("Cache-Control", cacheControl).StaleWhileRevalidate);
    }

    [Fact]
    public void Decide_MustRevalidate_Flagged()
    {
        Assert.True(Decide("Cache-Control", "max-age=60, must-revalidate").MustRevalidate);
        Assert.False(Decide("Cache-Control", "max-age=60").MustRevalidate);
    }

    [Fact]
    public void InitialAge_AgeHeader_AddsResponseDelay()
    {
        var headers = ResponseHeaders.Of("Age", "100", "Date", HttpDate.Format(T0));

        Assert.Equal(TimeSpan.FromSeconds(102), FreshnessPolicy.InitialAge(headers, T0, T0.AddSeconds(2)));
    }

    [Fact]
    public void InitialAge_OldDate_ApparentAge()
    {
        var headers = ResponseHeaders.Of("Date", HttpDate.Format(T0.AddSeconds(-50)));

        Assert.Equal(TimeSpan.FromSeconds(50), FreshnessPolicy.InitialAge(headers, T0, T0));
    }

    [Fact]
    public void InitialAge_DateAheadOfUs_ResponseDelayOnly()
    {
        var headers = ResponseHeaders.Of("Date", HttpDate.Format(T0.AddSeconds(3600)));

        Assert.Equal(TimeSpan.FromSeconds(1), FreshnessPolicy.InitialAge(headers, T0, T0.AddSeconds(1)));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("")]
    public void InitialAge_InvalidAge_Ignored(string age)
    {
        Assert.Equal(TimeSpan.Zero, FreshnessPolicy.InitialAge(ResponseHeaders.Of("Age", age), T0, T0));
    }

    [Fact]
    public void CurrentAge_ResidentTime_Added()
    {
        var decision = Decide("Age", "30");
        var entry = Store(decision, T0, T0);

        Assert.Equal(TimeSpan.FromSeconds(30), decision.InitialAge);
        Assert.Equal(TimeSpan.FromSeconds(75), entry.CurrentAge(T0.AddSeconds(45)));
    }

    [Fact]
    public void State_AgeHeaderBeyondMaxAge_StaleAtOnce()
    {
        var decision = Decide("Cache-Control", "max-age=60", "Age", "100");

        Assert.Equal(EntryState.Stale, FreshnessPolicy.State(Store(decision, T0, T0), T0));
    }

    [Fact]
    public void State_OverManualClock_FreshThenRevalidateThenStaleThenGone()
    {
        var clock = new ManualTimeProvider(T0);
        var policy = new CachePolicyConfig { StaleIfErrorTtl = 300 };
        var decision = Decide(200, policy, "Cache-Control", "max-age=60, stale-while-revalidate=30");
        var entry = Store(decision, T0, T0);

        void At(int seconds, EntryState state, bool onError)
        {
            clock.Advance(T0.AddSeconds(seconds) - clock.GetUtcNow());
            Assert.Equal(state, FreshnessPolicy.State(entry, clock.GetUtcNow()));
            Assert.Equal(onError, FreshnessPolicy.CanServeOnError(entry, clock.GetUtcNow()));
        }

        At(0, EntryState.Fresh, true);
        At(59, EntryState.Fresh, true);
        At(60, EntryState.StaleWhileRevalidate, true);
        At(89, EntryState.StaleWhileRevalidate, true);
        At(90, EntryState.Stale, true);
        At(359, EntryState.Stale, true);
        At(360, EntryState.Stale, false);
    }

    [Fact]
    public void CanServeOnError_MustRevalidateOnceStale_False()
    {
        var entry = Store(Decide("Cache-Control", "max-age=60, must-revalidate"), T0, T0);

        Assert.True(FreshnessPolicy.CanServeOnError(entry, T0.AddSeconds(59)));
        Assert.False(FreshnessPolicy.CanServeOnError(entry, T0.AddSeconds(60)));
    }

    [Fact]
    public void CanServeOnError_CachedError_NotPastItsTtl()
    {
        var decision = Decide(503);
        var entry = CacheEntry.Create(503, ResponseHeaders.Empty, Array.Empty<byte>(), decision, "primary", T0, T0);

        Assert.Equal(EntryState.Fresh, FreshnessPolicy.State(entry, T0.AddSeconds(9)));
        Assert.False(FreshnessPolicy.CanServeOnError(entry, T0.AddSeconds(10)));
    }

    [Fact]
    public void Refresh_MatchingNotModified_MergesHeadersAndRestartsFreshness()
    {
        var headers = new[] { "Cache-Control", "max-age=60", "ETag", "\"v1\"", "Content-Type", "text/plain", "Content-Encoding", "gzip", "X-Old", "kept" };
        var entry = Store(Decide(headers), T0, T0, headers);
        var later = T0.AddSeconds(600);
        var notModified = ResponseHeaders.Of(
            "ETag", "\"v1\"", "Cache-Control", "max-age=120", "Date", HttpDate.Format(later), "X-New", "added",
            "Content-Encoding", "br", "Content-Length", "0", "Connection", "close");

        var refreshed = FreshnessPolicy.Refresh(entry, notModified, later, later, Defaults, ErrorTtl);

        Assert.NotNull(refreshed);
        Assert.Equal(TimeSpan.FromSeconds(120), refreshed.Decision.FreshnessLifetime);
        Assert.Equal(EntryState.Fresh, FreshnessPolicy.State(refreshed, later.AddSeconds(119)));
        Assert.Equal("max-age=120", refreshed.Headers.Get("Cache-Control"));
        Assert.Single(refreshed.Headers.GetAll("Cache-Control"));
        Assert.Equal("added", refreshed.Headers.Get("X-New"));
        Assert.Equal("kept", refreshed.Headers.Get("X-Old"));
        Assert.Equal("gzip", refreshed.Headers.Get("Content-Encoding"));
        Assert.Null(refreshed.Headers.Get("Content-Length"));
        Assert.Null(refreshed.Headers.Get("Connection"));
        Assert.Equal(entry.Body.ToArray(), refreshed.Body.ToArray());
        Assert.Equal(later, refreshed.ResponseTime);
    }

    [Fact]
    public void Refresh_AgeOnNotModified_CountsTowardsAge()
    {
        var entry = Store(Decide("Cache-Control", "max-age=60", "ETag", "\"v1\""), T0, T0, "ETag", "\"v1\"");
        var later = T0.AddSeconds(600);

        var refreshed = FreshnessPolicy.Refresh(entry, ResponseHeaders.Of("ETag", "\"v1\"", "Age", "20"), later, later, Defaults, ErrorTtl);

        Assert.Equal(TimeSpan.FromSeconds(20), refreshed?.Decision.InitialAge);
        Assert.Null(refreshed?.Headers.Get("Age"));
    }

    [Theory]
    [InlineData("ETag", "\"v2\"")]
    [InlineData("Last-Modified", "Sat, 14 Mar 2026 08:00:00 GMT")]
    public void Refresh_OtherRepresentation_Null(string name, string value)
    {
        string[] headers = ["Cache-Control", "max-age=60", "ETag", "\"v1\"", "Last-Modified", "Sat, 14 Mar 2026 07:00:00 GMT"];
        var entry = Store(Decide(headers), T0, T0, headers);

        Assert.Null(FreshnessPolicy.Refresh(entry, ResponseHeaders.Of(name, value), T0, T0, Defaults, ErrorTtl));
    }

    [Fact]
    public void Refresh_WeakTagOfSameOpaqueValue_Matches()
    {
        var entry = Store(Decide("Cache-Control", "max-age=60"), T0, T0, "ETag", "\"v1\"");

        Assert.NotNull(FreshnessPolicy.Refresh(entry, ResponseHeaders.Of("ETag", "W/\"v1\""), T0, T0, Defaults, ErrorTtl));
    }

    [Theory]
    [InlineData("Set-Cookie", "a=b")]
    [InlineData("Cache-Control", "no-store")]
    [InlineData("Vary", "Cookie")]
    public void Refresh_NotModifiedForbidsStoring_Null(string name, string value)
    {
        var entry = Store(Decide("Cache-Control", "max-age=60"), T0, T0, "Cache-Control", "max-age=60", "ETag", "\"v1\"");

        Assert.Null(FreshnessPolicy.Refresh(entry, ResponseHeaders.Of("ETag", "\"v1\"", name, value), T0, T0, Defaults, ErrorTtl));
    }

    [Fact]
    public void Refresh_CompressedVariantMade_CarriedOver()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<p>hello tandem</p>\n", 200)));
        string[] headers = ["Cache-Control", "max-age=60", "ETag", "\"v1\"", "Content-Type", "text/html"];
        var entry = CacheEntry.Create(200, ResponseHeaders.Of(headers), body, Decide(headers), "primary", T0, T0);
        Assert.True(entry.TryGetVariant(ContentCoding.Gzip, out var gzip));

        var refreshed = FreshnessPolicy.Refresh(entry, ResponseHeaders.Of("ETag", "\"v1\""), T0, T0, Defaults, ErrorTtl);

        Assert.NotNull(refreshed);
        Assert.Equal(entry.Size, refreshed.Size);
        Assert.True(refreshed.TryGetVariant(ContentCoding.Gzip, out var carried));
        Assert.True(gzip.Span == carried.Span);
    }

    [Fact]
    public void Refresh_AnsweredByAnotherOrigin_NamesThatOrigin()
    {
        string[] headers = ["Cache-Control", "max-age=0", "ETag", "\"v1\""];
        var entry = CacheEntry.Create(200, ResponseHeaders.Of(headers), new byte[] { 1 }, Decide(headers), "primary", T0, T0);

        var byStandby = FreshnessPolicy.Refresh(entry, ResponseHeaders.Of("ETag", "\"v1\""), T0, T0, Defaults, ErrorTtl, "standby");
        var unnamed = FreshnessPolicy.Refresh(entry, ResponseHeaders.Of("ETag", "\"v1\""), T0, T0, Defaults, ErrorTtl);

        Assert.Equal("standby", byStandby!.Origin);
        Assert.Equal("primary", unnamed!.Origin);
    }
}

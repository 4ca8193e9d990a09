using Tandem.Core.Configuration;
using Tandem.Edge.Caching;

namespace Tandem.Tests.Edge.Caching;

public class CacheEntryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);

    internal static CacheEntry Html(byte[]? body = null, string contentType = "text/html", params string[] extra)
    {
        var headers = ResponseHeaders.Of(["Content-Type", contentType, "Cache-Control", "max-age=60", .. extra]);
        var decision = FreshnessPolicy.Decide(200, headers, T0, T0, new CachePolicyConfig(), TimeSpan.FromSeconds(10));
        return CacheEntry.Create(200, headers, body ?? CompressionTests.Html, decision, "primary", T0, T0);
    }

    [Fact]
    public void Create_HopByHopAndComputedFields_Dropped()
    {
        var entry = Html(null, "text/html",
            "Connection", "close, X-Hop", "X-Hop", "1", "Keep-Alive", "timeout=5", "Transfer-Encoding", "chunked",
            "Age", "3", "Content-Length", "9000", "X-Kept", "yes");

        Assert.Equal(["Content-Type", "Cache-Control", "X-Kept"], entry.Headers.Select(field => field.Key));
    }

    [Fact]
    public void Create_Validators_Read()
    {
        var entry = Html(null, "text/html", "ETag", "\"v1\"", "Last-Modified", "Sat, 14 Mar 2026 07:00:00 GMT");

        Assert.Equal("\"v1\"", entry.ETag);
        Assert.Equal(new DateTimeOffset(2026, 3, 14, 7, 0, 0, TimeSpan.Zero), entry.LastModified);
        Assert.Equal("primary", entry.Origin);
    }

    [Fact]
    public void Create_DecisionNotStorable_Throws()
    {
        Assert.Throws<ArgumentException>(() =>
            CacheEntry.Create(200, ResponseHeaders.Empty, Array.Empty<byte>(), CacheDecision.NotStored("no-store"), "primary", T0, T0));
    }

    [Theory]
    [InlineData(ContentCoding.Gzip)]
    [InlineData(ContentCoding.Brotli)]
    public void TryGetVariant_Compressible_RoundTripsAndGrowsSize(ContentCoding coding)
    {
        var entry = Html();
        var before = entry.Size;

        Assert.True(entry.TryGetVariant(coding, out var variant));

        Assert.Equal(CompressionTests.Html, CompressionTests.Decompress(variant.Span, coding));
        Assert.Equal(before + variant.Length, entry.Size);
    }

    [Fact]
    public void TryGetVariant_ManyThreadsAtOnce_CompressedOnce()
    {
        // Large enough that a second compression would overlap the first, and show in Size.
        var body = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100_000).Select(i => $"<li>{i * 7919 % 100_003}</li>")));
        var entry = Html(body, "text/html");
        var results = new ReadOnlyMemory<byte>[8];
        using var start = new Barrier(results.Length);

        // Dedicated threads: pool threads blocked in a barrier would starve other tests.
        var threads = Enumerable.Range(0, results.Length).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            entry.TryGetVariant(ContentCoding.Brotli, out results[i]);
        })).ToArray();
        Array.ForEach(threads, thread => thread.Start());
        Array.ForEach(threads, thread => thread.Join());

        Assert.All(results, result => Assert.True(result.Span == results[0].Span));
        Assert.Equal(entry.BaseSize + results[0].Length, entry.Size);
    }

    [Fact]
    public void TryGetVariant_Identity_Body()
    {
        var entry = Html();

        Assert.True(entry.TryGetVariant(ContentCoding.Identity, out var body));
        Assert.True(body.Span == entry.Body.Span);
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("text/html", "Content-Encoding", "gzip")]
    [InlineData("text/html", "Cache-Control", "no-transform")]
    public void TryGetVariant_NotCompressible_FalseAndNoGrowth(string contentType, params string[] extra)
    {
        var entry = Html(null, contentType, extra);
        var before = entry.Size;

        Assert.False(entry.TryGetVariant(ContentCoding.Gzip, out _));
        Assert.Equal(before, entry.Size);
    }

    [Fact]
    public void TryGetVariant_SmallBody_NotCompressed()
    {
        Assert.False(Html("<p>tiny</p>"u8.ToArray()).TryGetVariant(ContentCoding.Brotli, out _));
    }

    [Fact]
    public void TryGetVariant_IncompressibleBody_False()
    {
        var random = new byte[8192];
        new Random(3).NextBytes(random);
        var entry = Html(random, "text/plain");

        Assert.False(entry.TryGetVariant(ContentCoding.Gzip, out _));
        Assert.Equal(entry.BaseSize, entry.Size);
    }

    [Fact]
    public void Size_Body_CountsBodyAndHeaders()
    {
        var small = Html(new byte[1000], "image/png");
        var large = Html(new byte[5000], "image/png");

        Assert.Equal(4000, large.Size - small.Size);
        Assert.True(small.Size > 1000);
    }
}

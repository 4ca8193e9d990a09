using System.IO.Compression;
using System.Text;
using Tandem.Edge.Caching;

namespace Tandem.Tests.Edge.Caching;

public class CompressionTests
{
    internal static readonly byte[] Html = Encoding.UTF8.GetBytes(
        string.Concat(Enumerable.Range(0, 300).Select(i => $"<li class=\"event\">Round {i} at the strip</li>\n")));

    internal static byte[] Decompress(ReadOnlySpan<byte> compressed, ContentCoding coding)
    {
        using var input = new MemoryStream(compressed.ToArray());
        using Stream decoder = coding == ContentCoding.Brotli
            ? new BrotliStream(input, CompressionMode.Decompress)
            : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    [Theory]
    [InlineData("gzip, deflate, br", ContentCoding.Brotli)]
    [InlineData("gzip, deflate", ContentCoding.Gzip)]
    [InlineData("GZIP", ContentCoding.Gzip)]
    [InlineData("x-gzip", ContentCoding.Gzip)]
    [InlineData("br;q=0, gzip", ContentCoding.Gzip)]
    [InlineData("br; q=0.8, gzip", ContentCoding.Gzip)]
    [InlineData("gzip;q=0.5, br;q=0.4", ContentCoding.Gzip)]
    [InlineData("gzip;q=0.5, br;Q=0.5", ContentCoding.Brotli)]
    [InlineData("*", ContentCoding.Brotli)]
    [InlineData("*;q=0.5, br;q=0", ContentCoding.Gzip)]
    [InlineData("*;q=0", ContentCoding.Identity)]
    [InlineData("identity;q=0, *", ContentCoding.Brotli)]
    [InlineData("identity;q=0, gzip;q=0", ContentCoding.Identity)]
    [InlineData("identity, gzip;q=0.5", ContentCoding.Identity)]
    [InlineData("gzip;q=0.000", ContentCoding.Identity)]
    [InlineData("gzip;q=1.000", ContentCoding.Gzip)]
    [InlineData("br;q=2, gzip", ContentCoding.Gzip)]
    [InlineData("br;q=0.1234, gzip;q=0.1", ContentCoding.Gzip)]
    [InlineData("deflate", ContentCoding.Identity)]
    [InlineData("identity", ContentCoding.Identity)]
    [InlineData("", ContentCoding.Identity)]
    [InlineData(null, ContentCoding.Identity)]
    public void Negotiate_AcceptEncoding_BestAcceptableCoding(string? acceptEncoding, ContentCoding expected)
    {
        Assert.Equal(expected, Compression.Negotiate(acceptEncoding));
    }

    [Theory]
    [InlineData("text/html; charset=utf-8", true)]
    [InlineData("text/markdown", true)]
    [InlineData("TEXT/CSS", true)]
    [InlineData("application/javascript", true)]
    [InlineData("application/json", true)]
    [InlineData("application/manifest+json", true)]
    [InlineData("application/atom+xml", true)]
    [InlineData("application/xml", true)]
    [InlineData("image/svg+xml", true)]
    [InlineData("font/ttf", true)]
    [InlineData("application/vnd.ms-fontobject", true)]
    [InlineData("font/woff2", false)]
    [InlineData("application/wasm", false)]
    [InlineData("image/png", false)]
    [InlineData("application/octet-stream", false)]
    [InlineData("application/zip", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsCompressible_ContentType_AsCloudFrontList(string? contentType, bool expected)
    {
        Assert.Equal(expected, Compression.IsCompressible(contentType));
    }

    [Theory]
    [InlineData(200, "text/html", null, 5000, false, true)]
    [InlineData(404, "text/html", null, 5000, false, true)]
    [InlineData(403, "text/html", "identity", 5000, false, true)]
    [InlineData(500, "text/html", null, 5000, false, false)]
    [InlineData(301, "text/html", null, 5000, false, false)]
    [InlineData(200, "text/html", "gzip", 5000, false, false)]
    [InlineData(200, "text/html", null, 999, false, false)]
    [InlineData(200, "text/html", null, 1000, false, true)]
    [InlineData(200, "text/html", null, 10_000_000, false, true)]
    [InlineData(200, "text/html", null, 10_000_001, false, false)]
    [InlineData(200, "text/html", null, 5000, true, false)]
    [InlineData(200, "image/png", null, 5000, false, false)]
    public void ShouldCompress_Response_CloudFrontRules(int status, string contentType, string? encoding, long length, bool noTransform, bool expected)
    {
        Assert.Equal(expected, Compression.ShouldCompress(status, contentType, encoding, length, noTransform));
    }

    [Theory]
    [InlineData(ContentCoding.Gzip)]
    [InlineData(ContentCoding.Brotli)]
    public void Compress_Text_RoundTripsAndShrinks(ContentCoding coding)
    {
        var compressed = Compression.Compress(Html, coding);

        Assert.NotNull(compressed);
        Assert.True(compressed.Length < Html.Length / 4);
        Assert.Equal(Html, Decompress(compressed, coding));
    }

    [Theory]
    [InlineData(ContentCoding.Gzip)]
    [InlineData(ContentCoding.Brotli)]
    public void Compress_RandomBytes_NullWhenNotSmaller(ContentCoding coding)
    {
        var random = new byte[4096];
        new Random(7).NextBytes(random);

        Assert.Null(Compression.Compress(random, coding));
    }

    [Fact]
    public void Compress_Identity_Null()
    {
        Assert.Null(Compression.Compress(Html, ContentCoding.Identity));
    }

    [Theory]
    [InlineData("\"abc\"", "W/\"abc\"")]
    [InlineData("W/\"abc\"", "W/\"abc\"")]
    [InlineData("abc", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void VariantETag_AsCloudFront_StrongBecomesWeak(string? etag, string? expected)
    {
        Assert.Equal(expected, Compression.VariantETag(etag));
    }

    [Theory]
    [InlineData(ContentCoding.Gzip, "gzip")]
    [InlineData(ContentCoding.Brotli, "br")]
    [InlineData(ContentCoding.Identity, null)]
    public void Token_Coding_ContentEncodingValue(ContentCoding coding, string? token)
    {
        Assert.Equal(token, Compression.Token(coding));
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Tandem.Edge;
using Tandem.Edge.Tls;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Edge;

/// <summary>
/// The connection fast path for cache hits (HitFastPath): it must answer exactly as Kestrel's
/// full path does, hand every other request to Kestrel on the same connection, and keep
/// Kestrel's timeouts and shutdown.
/// </summary>
public sealed class EdgeFastPathTests
{
    private static readonly string[] Paths = ["/", "/css/site.css", "/about/", "/events/?v=1"];

    private static readonly string[][] FieldSets =
    [
        [],
        ["Accept-Encoding: gzip"],
        ["Accept-Encoding: br, gzip"],
        ["Accept-Encoding: gzip;q=0, identity"],
        ["Accept: text/html", "Sec-Fetch-Dest: document", "Cookie: theme=dark", "User-Agent: test", "Connection: keep-alive"],
        ["If-None-Match: *"],
        ["If-None-Match: \"not-this-one\"", "Accept-Encoding: gzip"],
        ["If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT"],
        ["If-Modified-Since: Thu, 01 Jan 2015 00:00:00 GMT", "Accept-Encoding: br"],
    ];

    [Fact]
    public async Task Hits_AreAnsweredByteForByteAsTheFullPathAnswersThem_ExceptDateAndAge()
    {
        await using var origin = await StartOriginAsync();
        await using var fast = await EdgeHost.StartAsync(Options(origin, fastHits: true));
        await using var full = await EdgeHost.StartAsync(Options(origin, fastHits: false));
        await WarmAsync(fast, Paths);
        await WarmAsync(full, Paths);
        using var toFast = await RawConnection.OpenAsync(fast.HttpUrl!);
        using var toFull = await RawConnection.OpenAsync(full.HttpUrl!);

        var before = await FastPathCountAsync(fast);
        var compared = 0;
        var statuses = new HashSet<string>();
        foreach (var path in Paths)
        {
            foreach (var method in new[] { "GET", "HEAD" })
            {
                foreach (var fields in FieldSets)
                {
                    var a = await toFast.SendAsync(method, path, fields);
                    var b = await toFull.SendAsync(method, path, fields);

                    var what = $"{method} {path} [{string.Join("; ", fields)}]";
                    Assert.True(a.StatusLine == b.StatusLine, $"{what}: {a.StatusLine} vs {b.StatusLine}");
                    Assert.True(a.Comparable.SequenceEqual(b.Comparable), $"{what}:\nfast: {string.Join(" | ", a.Comparable)}\nfull: {string.Join(" | ", b.Comparable)}");
                    Assert.Equal(b.Body, a.Body);
                    Assert.Equal("Hit", a.Field("X-Cache"));
                    statuses.Add(a.StatusLine);
                    Assert.Matches("^[0-9]+$", a.Field("Age"));
                    Assert.True(DateTimeOffset.TryParseExact(a.Field("Date"), "r", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"{what}: Date '{a.Field("Date")}'");
                    compared++;
                }
            }
        }

        Assert.Equal(["HTTP/1.1 200 OK", "HTTP/1.1 304 Not Modified"], statuses.Order());

        // Every one of those hits took the fast path on the edge that has it.
        Assert.Equal(before + compared, await FastPathCountAsync(fast));
        Assert.Equal(0, await FastPathCountAsync(full));
    }

    [Fact]
    public async Task OneConnection_HitsThenARangeThenMore_KestrelTakesOverWithNothingLost()
    {
        await using var origin = await StartOriginAsync();
        await using var edge = await EdgeHost.StartAsync(Options(origin, fastHits: true));
        await WarmAsync(edge, "/css/site.css");
        using var connection = await RawConnection.OpenAsync(edge.HttpUrl!);

        var hit = await connection.SendAsync("GET", "/css/site.css", []);
        var countAfterHit = await FastPathCountAsync(edge);
        var notModified = await connection.SendAsync("GET", "/css/site.css", [$"If-None-Match: {hit.Field("ETag")}"]);
        var countAfter304 = await FastPathCountAsync(edge);
        var range = await connection.SendAsync("GET", "/css/site.css", ["Range: bytes=0-9"]);
        var after = await connection.SendAsync("GET", "/css/site.css", []);
        var badHost = await connection.SendAsync("GET", "/css/site.css", ["Host: second.example"]);

        Assert.Equal("HTTP/1.1 200 OK", hit.StatusLine);
        Assert.Equal("HTTP/1.1 304 Not Modified", notModified.StatusLine);
        Assert.Empty(notModified.Body);
        Assert.Equal(countAfterHit + 1, countAfter304);
        Assert.Equal("HTTP/1.1 206 Partial Content", range.StatusLine);
        Assert.Equal(hit.Body[..10], range.Body);
        Assert.Equal("HTTP/1.1 200 OK", after.StatusLine);
        Assert.Equal(hit.Body, after.Body);
        Assert.Equal("Hit", after.Field("X-Cache"));
        // Once handed over, the connection stays with Kestrel: the range and the hit after it were Kestrel's.
        Assert.Equal(countAfter304, await FastPathCountAsync(edge));
        // And Kestrel's own checks apply to what follows: two Host fields are a bad request.
        Assert.StartsWith("HTTP/1.1 400", badHost.StatusLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipelinedHits_AreAnsweredInOrder()
    {
        await using var origin = await StartOriginAsync();
        await using var edge = await EdgeHost.StartAsync(Options(origin, fastHits: true));
        await WarmAsync(edge, "/css/site.css", "/index.html");
        using var connection = await RawConnection.OpenAsync(edge.HttpUrl!);
        var css = await connection.SendAsync("GET", "/css/site.css", []);
        var index = await connection.SendAsync("GET", "/index.html", []);
        var before = await FastPathCountAsync(edge);

        await connection.WriteAsync(RawConnection.Request("GET", "/index.html", []) + RawConnection.Request("HEAD", "/css/site.css", []) + RawConnection.Request("GET", "/css/site.css", []));
        var first = await connection.ReadResponseAsync(head: false);
        var second = await connection.ReadResponseAsync(head: true);
        var third = await connection.ReadResponseAsync(head: false);

        Assert.Equal(index.Body, first.Body);
        Assert.Equal(css.Field("Content-Length"), second.Field("Content-Length"));
        Assert.Empty(second.Body);
        Assert.Equal(css.Body, third.Body);
        Assert.Equal(before + 3, await FastPathCountAsync(edge));
        Assert.Equal(2, before);
    }

    [Fact]
    public async Task AConnectionIdlePastTheKeepAliveTimeout_OrSlowToSendAHead_IsClosed()
    {
        await using var origin = await StartOriginAsync();
        await using var edge = await EdgeHost.StartAsync(Options(origin, fastHits: true, timeouts: TimeSpan.FromSeconds(1)));
        await WarmAsync(edge, "/index.html");
        using var idle = await RawConnection.OpenAsync(edge.HttpUrl!);
        using var slow = await RawConnection.OpenAsync(edge.HttpUrl!);
        await idle.SendAsync("GET", "/index.html", []);
        Assert.Equal(1, await FastPathCountAsync(edge));

        await slow.WriteAsync("GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n");

        // Closed by the edge: the read ends (0 bytes or a reset) well before the test's own limit.
        Assert.True(await idle.ClosedWithinAsync(TimeSpan.FromSeconds(15)), "the idle connection was not closed");
        Assert.True(await slow.ClosedWithinAsync(TimeSpan.FromSeconds(15)), "the half-sent head was not cut off");
    }

    [Fact]
    public async Task AVisitorThatStopsReading_IsCutOffAtTheMinimumDataRate()
    {
        await using var origin = await StartOriginAsync();
        var big = new byte[16 * 1024 * 1024];
        Random.Shared.NextBytes(big);
        using (var s3 = SiteSetup.Client(origin.S3Url, origin.Credentials))
        {
            await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "site", Key = "big.bin", InputStream = new MemoryStream(big) });
        }

        // 16 MB cannot all wait in socket buffers (4 MB at most on the sending side here), so a
        // visitor that reads nothing leaves the edge waiting on a full socket.
        await using var edge = await EdgeHost.StartAsync(Options(origin, fastHits: true, minRate: new(1024 * 1024, TimeSpan.FromSeconds(1.5))));
        await WarmAsync(edge, "/big.bin");
        using (var head = await RawConnection.OpenAsync(edge.HttpUrl!))
        {
            // Cached, and answered by the fast path: the GET below is too.
            Assert.Equal(big.Length.ToString(CultureInfo.InvariantCulture), (await head.SendAsync("HEAD", "/big.bin", [])).Field("Content-Length"));
            Assert.Equal(1, await FastPathCountAsync(edge));
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, edge.HttpUrl!.Port);
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(RawConnection.Request("GET", "/big.bin", [])));
        await Task.Delay(TimeSpan.FromSeconds(4));

        var received = 0L;
        var buffer = new byte[65536];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received += n;
            }
        }
        catch (IOException)
        {
            // Reset by the edge: as good as a close.
        }

        // Cut off partway (the read ended before the whole body), and not counted as answered.
        Assert.InRange(received, 1, big.Length - 1);
        Assert.Equal(1, await FastPathCountAsync(edge));
    }

    [Fact]
    public async Task Stopping_ClosesIdleFastPathConnectionsPromptly()
    {
        await using var origin = await StartOriginAsync();
        var edge = await EdgeHost.StartAsync(Options(origin, fastHits: true));
        await WarmAsync(edge, "/index.html");
        using var connection = await RawConnection.OpenAsync(edge.HttpUrl!);
        await connection.SendAsync("GET", "/index.html", []);
        Assert.Equal(1, await FastPathCountAsync(edge));

        var stopwatch = Stopwatch.StartNew();
        await edge.DisposeAsync();

        // Kestrel waits up to its shutdown timeout (30 s) for connections that ignore the request to close.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopwatch.Elapsed}");
        Assert.True(await connection.ClosedWithinAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Https_Http11HitsTakeTheFastPath_Http2StaysWithKestrel()
    {
        await using var origin = await StartOriginAsync();
        using var tls = new TempDir("tandem-fast-tls");
        await using var edge = await EdgeHost.StartAsync(Options(origin, fastHits: true, tls: tls));
        using var served = X509Certificate2.CreateFromPem(File.ReadAllText(tls.Combine("edge.crt")));
        var thumbprint = served.GetCertHashString();
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) => c?.GetCertHashString() == thumbprint } };
        using var http = new HttpClient(handler) { BaseAddress = edge.HttpsUrl };

        async Task<HttpResponseMessage> GetAsync(Version version)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/css/site.css") { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            return await http.SendAsync(request);
        }

        await WarmAsync(edge, "/css/site.css");
        using var h1 = await GetAsync(HttpVersion.Version11);
        var afterH1 = await FastPathCountAsync(edge);
        using var h2 = await GetAsync(HttpVersion.Version20);

        Assert.Equal("Hit", string.Join(",", h1.Headers.GetValues("X-Cache")));
        Assert.True(h1.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(1, afterH1);
        Assert.Equal(HttpVersion.Version20, h2.Version);
        Assert.Equal("Hit", string.Join(",", h2.Headers.GetValues("X-Cache")));
        Assert.Equal(await h1.Content.ReadAsByteArrayAsync(), await h2.Content.ReadAsByteArrayAsync());
        Assert.Equal(afterH1, await FastPathCountAsync(edge));
    }

    /// <summary>
    /// Makes each path a cached entry. A miss hands its connection to Kestrel for good, so this
    /// uses connections of its own and the tests open fresh ones afterwards.
    /// </summary>
    private static async Task WarmAsync(EdgeHost edge, params string[] paths)
    {
        using var http = new HttpClient { BaseAddress = edge.HttpUrl };
        foreach (var path in paths)
        {
            using var response = await http.GetAsync(path);
            response.EnsureSuccessStatusCode();
        }
    }

    private static async Task<TestOrigin> StartOriginAsync()
    {
        var origin = await TestOrigin.StartAsync();
        await SiteSetup.DeployAsync(origin.S3Url, origin.Credentials, SiteSetup.ExampleSite);
        return origin;
    }

    /// <summary>An edge on the origin with a 10-minute default TTL; with HTTPS when <paramref name="tls"/> names a folder for the certificate.</summary>
    private static EdgeOptions Options(TestOrigin origin, bool fastHits, TimeSpan? timeouts = null, TempDir? tls = null, MinDataRate? minRate = null)
    {
        var options = EdgeFixture.Options([("primary", origin.WebsiteUrl)]);
        options.Distribution.Behaviors[0] = options.Distribution.Behaviors[0] with { CachePolicy = new Core.Configuration.CachePolicyConfig { DefaultTtl = 600 } };
        if (tls is not null)
        {
            SelfSignedCertificate.Write(tls.Combine("edge.crt"), tls.Combine("edge.key"), ["127.0.0.1", "localhost"], TimeSpan.FromDays(1)).Dispose();
        }

        return new EdgeOptions
        {
            Name = options.Name,
            HttpListen = options.HttpListen,
            HttpsListen = tls is null ? null : new IPEndPoint(IPAddress.Loopback, 0),
            CertificateFile = tls?.Combine("edge.crt"),
            KeyFile = tls?.Combine("edge.key"),
            AdminListen = options.AdminListen,
            AdminToken = options.AdminToken,
            Origins = options.Origins,
            Distribution = options.Distribution,
            FastHits = fastHits,
            KeepAliveTimeout = timeouts ?? options.KeepAliveTimeout,
            RequestHeadersTimeout = timeouts ?? options.RequestHeadersTimeout,
            MinResponseDataRate = minRate ?? options.MinResponseDataRate,
            Cache = new Core.Configuration.EdgeCacheConfig { MaxObjectBytes = 32L * 1024 * 1024 },
        };
    }

    /// <summary>tandem_edge_fast_path_requests_total from the edge's /metrics (0 before the first).</summary>
    private static async Task<long> FastPathCountAsync(EdgeHost edge)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", EdgeFixture.AdminToken);
        var text = await http.GetStringAsync(new Uri(edge.AdminUrl, "/metrics"));
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("tandem_edge_fast_path_requests_total", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
    }

    /// <summary>One HTTP/1.1 response as read off the wire.</summary>
    private sealed record RawResponse(string StatusLine, IReadOnlyList<string> Fields, byte[] Body)
    {
        /// <summary>
        /// The field lines, sorted, without Date and Age (which change between responses) and the
        /// origin's request id (each edge fetched its copy with a request of its own).
        /// </summary>
        public IReadOnlyList<string> Comparable => Fields
            .Where(f => !f.StartsWith("Date:", StringComparison.OrdinalIgnoreCase) && !f.StartsWith("Age:", StringComparison.OrdinalIgnoreCase)
                && !f.StartsWith("x-amz-request-id:", StringComparison.OrdinalIgnoreCase))
            .Select(f => f.ToLowerInvariant())
            .Order(StringComparer.Ordinal)
            .ToList();

        public string Field(string name) => string.Join(",", Fields
            .Where(f => f.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(f => f[(name.Length + 1)..].Trim()));
    }

    /// <summary>A keep-alive connection that writes requests byte for byte and reads responses by Content-Length.</summary>
    private sealed class RawConnection : IDisposable
    {
        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly string _host;
        private readonly List<byte> _pending = [];

        private RawConnection(Socket socket, string host)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _host = host;
        }

        public static async Task<RawConnection> OpenAsync(Uri url)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, url.Port);
            return new RawConnection(socket, $"127.0.0.1:{url.Port}");
        }

        public static string Request(string method, string target, IEnumerable<string> fields, string host = "127.0.0.1") =>
            $"{method} {target} HTTP/1.1\r\nHost: {host}\r\n" + string.Concat(fields.Select(f => f + "\r\n")) + "\r\n";

        public async Task<RawResponse> SendAsync(string method, string target, IEnumerable<string> fields)
        {
            await WriteAsync(Request(method, target, fields, _host));
            return await ReadResponseAsync(method == "HEAD");
        }

        public async Task WriteAsync(string text) => await _stream.WriteAsync(Encoding.ASCII.GetBytes(text));

        public async Task<RawResponse> ReadResponseAsync(bool head)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            int end;
            while ((end = IndexOfBlankLine()) < 0)
            {
                await FillAsync(timeout.Token);
            }

            var lines = Encoding.ASCII.GetString(_pending.GetRange(0, end).ToArray()).Split("\r\n");
            _pending.RemoveRange(0, end + 4);
            var fields = lines[1..];
            var length = fields.Where(f => f.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Select(f => int.Parse(f[15..].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
            var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
            if (head || status is 304 or 204)
            {
                length = 0;
            }

            while (_pending.Count < length)
            {
                await FillAsync(timeout.Token);
            }

            var body = _pending.GetRange(0, length).ToArray();
            _pending.RemoveRange(0, length);
            return new RawResponse(lines[0], fields, body);
        }

        /// <summary>True when the server closes (or resets) the connection within <paramref name="limit"/>.</summary>
        public async Task<bool> ClosedWithinAsync(TimeSpan limit)
        {
            using var timeout = new CancellationTokenSource(limit);
            var buffer = new byte[4096];
            try
            {
                while (await _stream.ReadAsync(buffer, timeout.Token) > 0)
                {
                }

                return true;
            }
            catch (IOException)
            {
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public void Dispose() => _stream.Dispose();

        private int IndexOfBlankLine()
        {
            for (var i = 0; i + 3 < _pending.Count; i++)
            {
                if (_pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[16384];
            var n = await _stream.ReadAsync(buffer, cancellationToken);
            if (n == 0)
            {
                throw new IOException("The edge closed the connection before a whole response arrived.");
            }

            _pending.AddRange(buffer.AsSpan(0, n));
        }
    }
}

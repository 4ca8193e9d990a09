using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Tandem.Core.Http;
using Tandem.Origin.Storage;
using Tandem.Origin.Website;

namespace Tandem.Tests.Origin.Website;

/// <summary>The website endpoint over a real Kestrel listener and a real HTTP client.</summary>
public sealed class WebsiteEndpointTests : IAsyncLifetime
{
    private const string NotFoundPage = "<h1>Off the track</h1>";
    private const string Secret = "pit-crew-only";

    private readonly InMemoryObjectStore _store = new();
    private readonly byte[] _big = Enumerable.Range(0, 1000).Select(i => (byte)(i % 251)).ToArray();
    private ObjectInfo _bigInfo = null!;
    private WebsiteServer _server = null!;

    public async Task InitializeAsync()
    {
        var rules = new[]
        {
            new RoutingRule(new RoutingRuleCondition("docs/", null), new RoutingRuleRedirect(null, null, "documents/", null, null)),
        };
        _store.AddSite("site", new WebsiteConfiguration { IndexDocumentSuffix = "index.html", ErrorDocumentKey = "404.html", RoutingRules = rules });
        _store.Put("site", "index.html", "<h1>Home</h1>");
        _store.Put("site", "about/index.html", "<h1>About</h1>");
        _store.Put("site", "about/contact/index.html", "<h1>Contact</h1>");
        _store.Put("site", "404.html", NotFoundPage);
        _store.Put("site", "a b.html", "space");
        _store.Put("site", "café.html", "accent");
        _store.Put("site", "a+b.html", "plus");
        _store.Put("site", "old.html", "", headers: new ObjectHeaders { WebsiteRedirectLocation = "/events/" });
        _bigInfo = _store.Put("site", "big.bin", _big, new ObjectHeaders { ContentType = "application/octet-stream" });

        _store.AddSite("other");
        _store.Put("other", "index.html", "<h1>Other</h1>");
        _store.Put("other", "secret.txt", Secret, "text/plain");

        _store.AddSite("www.example.com");
        _store.Put("www.example.com", "index.html", "<h1>Example</h1>");

        _store.AddSite("locked", publicRead: false);
        _store.Put("locked", "index.html", "<h1>Locked</h1>");
        _store.Put("locked", "404.html", NotFoundPage);

        _server = await WebsiteServer.StartAsync(_store);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Get_Root_IndexDocumentWithObjectHeaders()
    {
        using var response = await _server.GetAsync("/", "site.localhost");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("<h1>Home</h1>", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(13, response.Content.Headers.ContentLength);
        Assert.Equal(_store.GetObjectInfo("site", "index.html")!.QuotedETag, response.Headers.ETag!.Tag);
        Assert.Equal("Sat, 14 Mar 2026 09:26:53 GMT", response.Content.Headers.GetValues("Last-Modified").Single());
        Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
        Assert.Matches("^[0-9A-F]{16}$", response.Headers.GetValues("x-amz-request-id").Single());
    }

    [Theory]
    [InlineData("/about/", "<h1>About</h1>")]
    [InlineData("/about/contact/", "<h1>Contact</h1>")]
    [InlineData("/about/index.html", "<h1>About</h1>")]
    public async Task Get_NestedFolder_FolderIndexDocument(string path, string body)
    {
        using var response = await _server.GetAsync(path, "site.localhost");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/about", "/about/")]
    [InlineData("/about?ref=home", "/about/")]
    [InlineData("/about/contact", "/about/contact/")]
    public async Task Get_FolderWithoutSlash_FoundToSlashedPathWithoutQuery(string path, string location)
    {
        using var response = await _server.GetAsync(path, "site.localhost");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(location, response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Get_MissingKey_ErrorDocumentWith404AndErrorHeaders()
    {
        using var response = await _server.GetAsync("/events/1999/", "site.localhost");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(NotFoundPage, await response.Content.ReadAsStringAsync());
        Assert.Equal("NoSuchKey", ErrorCode(response));
        Assert.Equal("events/1999/index.html", response.Headers.GetValues("x-amz-error-detail-Key").Single());
    }

    [Fact]
    public async Task Get_MissingKeyWithoutErrorDocument_BuiltInHtmlPage()
    {
        using var response = await _server.GetAsync("/gone.html", "other.localhost");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<title>404 Not Found</title>", html);
        Assert.Contains("<li>Code: NoSuchKey</li>", html);
        Assert.Contains("<li>Key: gone.html</li>", html);
        Assert.Contains($"<li>RequestId: {response.Headers.GetValues("x-amz-request-id").Single()}</li>", html);
        Assert.Contains("Custom Error Document", html);
    }

    [Fact]
    public async Task Get_AfterWebsiteConfigurationRemoved_NoSuchWebsiteConfigurationForEveryKey()
    {
        using (var before = await _server.GetAsync("/", "site.localhost"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        _store.SetWebsite("site", null);

        foreach (var path in new[] { "/", "/index.html", "/about/", "/404.html", "/gone" })
        {
            using var response = await _server.GetAsync(path, "site.localhost");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("NoSuchWebsiteConfiguration", ErrorCode(response));
            Assert.Contains("<li>BucketName: site</li>", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Get_BucketWithoutPublicPolicy_ForbiddenPlainPage()
    {
        using var response = await _server.GetAsync("/", "locked.localhost");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("AccessDenied", ErrorCode(response));
        Assert.Contains("<title>403 Forbidden</title>", html);
        Assert.DoesNotContain(NotFoundPage, html);
        Assert.DoesNotContain("Locked", html);
    }

    [Fact]
    public async Task Get_PolicyAddedLater_Served()
    {
        using (var before = await _server.GetAsync("/", "locked.localhost"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        }

        _store.SetPolicy("locked", InMemoryObjectStore.PublicReadPolicy("locked"));

        using var after = await _server.GetAsync("/", "locked.localhost");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Send_MethodOtherThanGetOrHead_MethodNotAllowed(string method)
    {
        using var response = await _server.GetAsync("/index.html", "site.localhost", method: new HttpMethod(method),
            configure: r => r.Content = new StringContent("overwrite"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("MethodNotAllowed", ErrorCode(response));
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow.Order());
        Assert.Equal("<h1>Home</h1>", Encoding.UTF8.GetString(await ReadObject("site", "index.html")));
    }

    [Fact]
    public async Task Get_RoutingRulePrefix_MovedPermanentlyOnRequestHost()
    {
        using var response = await _server.GetAsync("/docs/rules.html", "site.localhost:9001");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("http://site.localhost:9001/documents/rules.html", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Get_ObjectWithRedirectLocation_MovedPermanently()
    {
        using var response = await _server.GetAsync("/old.html", "site.localhost");

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("/events/", response.Headers.Location!.OriginalString);
        Assert.Equal(0, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Get_IfNoneMatchCurrentETag_NotModifiedWithoutBody()
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost", r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(_bigInfo.QuotedETag)));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(_bigInfo.QuotedETag, response.Headers.ETag!.Tag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_IfModifiedSinceLastModified_NotModified()
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost",
            r => r.Headers.TryAddWithoutValidation("If-Modified-Since", HttpDate.Format(_bigInfo.LastModified)));

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
    }

    [Fact]
    public async Task Get_IfModifiedSinceEarlier_WholeObject()
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost",
            r => r.Headers.IfModifiedSince = _bigInfo.LastModified.AddDays(-1));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_big, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_IfNoneMatchOtherTagWithCurrentDate_WholeObject()
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost", r =>
        {
            r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"stale\""));
            r.Headers.IfModifiedSince = _bigInfo.LastModified.AddDays(1);
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_IfMatchOtherTag_PreconditionFailed()
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost", r => r.Headers.IfMatch.Add(new EntityTagHeaderValue("\"stale\"")));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal("PreconditionFailed", ErrorCode(response));
        Assert.Null(response.Headers.ETag);
    }

    [Fact]
    public async Task Get_IfUnmodifiedSinceEarlier_PreconditionFailed()
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost", r => r.Headers.IfUnmodifiedSince = _bigInfo.LastModified.AddDays(-1));

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Theory]
    [InlineData(10, 19)]
    [InlineData(990, 999)]
    [InlineData(0, 0)]
    public async Task Get_Range_PartialContent(long from, long to)
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost", r => r.Headers.Range = new RangeHeaderValue(from, to));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {from}-{to}/1000", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal(_big[(int)from..(int)(to + 1)], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_SuffixRange_LastBytes()
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost", r => r.Headers.TryAddWithoutValidation("Range", "bytes=-100"));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bytes 900-999/1000", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal(_big[900..], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_RangePastTheEnd_RangeNotSatisfiable()
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost", r => r.Headers.Range = new RangeHeaderValue(1000, null));

        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
        Assert.Equal("bytes */1000", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal("InvalidRange", ErrorCode(response));
    }

    [Fact]
    public async Task Get_SeveralRanges_WholeObject()
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost", r => r.Headers.TryAddWithoutValidation("Range", "bytes=0-9,20-29"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_big, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_RangeWithStaleIfRange_WholeObject()
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost", r =>
        {
            r.Headers.Range = new RangeHeaderValue(0, 9);
            r.Headers.TryAddWithoutValidation("If-Range", "\"stale\"");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1000, response.Content.Headers.ContentLength);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.OK, 1000)]
    [InlineData("bytes=0-99", HttpStatusCode.PartialContent, 100)]
    public async Task Head_Object_HeadersAndLengthWithoutBody(string? range, HttpStatusCode status, long length)
    {
        using var response = await _server.GetAsync("/big.bin", "site.localhost", r => r.Headers.TryAddWithoutValidation("Range", range), HttpMethod.Head);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(length, response.Content.Headers.ContentLength);
        Assert.Equal(_bigInfo.QuotedETag, response.Headers.ETag!.Tag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_MissingKey_NotFoundWithoutBody()
    {
        using var response = await _server.GetAsync("/gone.html", "other.localhost", method: HttpMethod.Head);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NoSuchKey", ErrorCode(response));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_StoredHeadersAndMetadata_SentAsS3Does()
    {
        _store.Put("site", "report.pdf", "%PDF", "application/pdf", new ObjectHeaders
        {
            CacheControl = "public, max-age=300",
            ContentDisposition = "attachment; filename=\"report.pdf\"",
            ContentLanguage = "en",
            ContentEncoding = "identity",
            Expires = "Thu, 01 Jan 2037 00:00:00 GMT",
            UserMetadata = new Dictionary<string, string> { ["author"] = "Race Control", ["venue"] = "Pärnu" },
        });

        using var response = await _server.GetAsync("/report.pdf", "site.localhost");

        Assert.Equal("public, max-age=300", response.Headers.CacheControl!.ToString());
        Assert.Equal("attachment; filename=\"report.pdf\"", response.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal("en", response.Content.Headers.ContentLanguage.Single());
        Assert.Equal("identity", response.Content.Headers.ContentEncoding.Single());
        Assert.Equal("Thu, 01 Jan 2037 00:00:00 GMT", response.Content.Headers.GetValues("Expires").Single());
        Assert.Equal("Race Control", response.Headers.GetValues("x-amz-meta-author").Single());
        Assert.Equal("=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes("Pärnu")) + "?=", response.Headers.GetValues("x-amz-meta-venue").Single());
    }

    [Fact]
    public async Task Get_ObjectWithoutContentType_S3Default()
    {
        _store.Put("site", "blob", [1, 2, 3]);

        using var response = await _server.GetAsync("/blob", "site.localhost");

        Assert.Equal("binary/octet-stream", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Get_VirtualHostedName_ThatBucket()
    {
        using var response = await _server.GetAsync("/", "other.localhost:9001");

        Assert.Equal("<h1>Other</h1>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_HostIsBucketName_ThatBucket()
    {
        using var response = await _server.GetAsync("/", "www.example.com");

        Assert.Equal("<h1>Example</h1>", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("nosuchbucket.localhost")]
    [InlineData("example.org")]
    public async Task Get_HostNamesNoBucket_FallbackBucket(string? host)
    {
        using var response = await _server.GetAsync("/", host);

        Assert.Equal("<h1>Home</h1>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_HostNamesNoBucketAndNoFallback_NoSuchBucket()
    {
        await using var server = await WebsiteServer.StartAsync(_store, new WebsiteOptions());

        using var response = await server.GetAsync("/", "nosuchbucket.localhost");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NoSuchBucket", ErrorCode(response));
        Assert.Contains("<li>BucketName: nosuchbucket</li>", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/a%20b.html", "space")]
    [InlineData("/caf%C3%A9.html", "accent")]
    [InlineData("/a+b.html", "plus")]
    public async Task Get_EncodedKey_DecodedAsUtf8(string path, string body)
    {
        var (status, response) = await _server.SendRawAsync(path);

        Assert.Equal(200, status);
        Assert.EndsWith("\r\n\r\n" + body, response);
    }

    [Theory]
    [InlineData("/../other/secret.txt")]
    [InlineData("/%2e%2e/other/secret.txt")]
    [InlineData("/%2E%2E%2Fother%2Fsecret.txt")]
    [InlineData("/..%2f..%2fother/secret.txt")]
    [InlineData("/..\\other\\secret.txt")]
    [InlineData("/%5C..%5Cother%5Csecret.txt")]
    [InlineData("//other/secret.txt")]
    [InlineData("/about/../../other/secret.txt")]
    public async Task Get_TraversalAttempt_OnlyNamesAKeyInTheBucket(string target)
    {
        var (status, response) = await _server.SendRawAsync(target);

        Assert.Equal(404, status);
        Assert.EndsWith(NotFoundPage, response);
        Assert.DoesNotContain(Secret, response);
    }

    [Fact]
    public async Task Get_KeyWithDotSegments_ServedAsLiteralKey()
    {
        _store.Put("site", "../other/secret.txt", "a key, not a path", "text/plain");

        var (status, response) = await _server.SendRawAsync("/../other/secret.txt");

        Assert.Equal(200, status);
        Assert.EndsWith("a key, not a path", response);
    }

    [Theory]
    [InlineData("/a%00b")]
    [InlineData("/index.html%00.png")]
    public async Task Get_EncodedNul_BadRequest(string target)
    {
        // Kestrel refuses these before the endpoint runs; the endpoint refuses them too
        // (WebsiteEndpointHandlerTests), for servers that do not.
        var (status, response) = await _server.SendRawAsync(target);

        Assert.Equal(400, status);
        Assert.DoesNotContain(NotFoundPage, response);
    }

    [Theory]
    [InlineData("/a%zz")]
    [InlineData("/a%2")]
    [InlineData("/%C3%28")]
    public async Task Get_BadEncoding_BadRequestInvalidUri(string target)
    {
        var (status, response) = await _server.SendRawAsync(target);

        Assert.Equal(400, status);
        Assert.Contains("x-amz-error-code: InvalidURI", response);
    }

    [Fact]
    public async Task Get_AbsoluteFormTarget_PathServed()
    {
        var (status, response) = await _server.SendRawAsync("http://site.localhost/about/contact/?x=1");

        Assert.Equal(200, status);
        Assert.EndsWith("<h1>Contact</h1>", response);
    }

    [Fact]
    public async Task Get_ManyConcurrentRequests_AllServedAndEveryHandleClosed()
    {
        var tasks = Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await _server.GetAsync(i % 2 == 0 ? "/big.bin" : "/gone", "site.localhost");
            return (response.StatusCode, (await response.Content.ReadAsByteArrayAsync()).Length);
        });

        var results = await Task.WhenAll(tasks);

        Assert.All(results.Where((_, i) => i % 2 == 0), r => Assert.Equal((HttpStatusCode.OK, 1000), r));
        Assert.All(results.Where((_, i) => i % 2 == 1), r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        await WaitUntil(() => _store.OpenHandles == 0);
    }

    private static string ErrorCode(HttpResponseMessage response) => response.Headers.GetValues("x-amz-error-code").Single();

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition());
    }

    private async Task<byte[]> ReadObject(string bucket, string key)
    {
        using var content = _store.OpenObject(bucket, key)!;
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, 0, content.Info.Size, CancellationToken.None);
        return buffer.ToArray();
    }
}

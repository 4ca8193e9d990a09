using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Tandem.Origin.Storage;
using Tandem.Origin.Website;

namespace Tandem.Tests.Origin.Website;

/// <summary>
/// The endpoint's handler called directly, for what a socket cannot show: how many times the store
/// was asked, that every handle is closed by the time the handler returns, and the endpoint's own
/// input checks where Kestrel would answer first.
/// </summary>
public class WebsiteEndpointHandlerTests
{
    private readonly InMemoryObjectStore _store = new();
    private readonly WebsiteEndpoint _endpoint;

    public WebsiteEndpointHandlerTests()
    {
        _store.AddSite("site");
        _store.Put("site", "index.html", "<h1>Home</h1>");
        _store.Put("site", "events/index.html", "<h1>Events</h1>");
        _store.Put("site", "404.html", "<h1>Lost</h1>");
        _endpoint = new WebsiteEndpoint(_store, new WebsiteOptions { FallbackBucket = "site" });
    }

    [Theory]
    [InlineData("/", 200, 1)]
    [InlineData("/events/", 200, 1)]
    [InlineData("/events", 302, 2)]
    [InlineData("/gone", 404, 3)]
    public async Task HandleAsync_Get_OpensEachCandidateOnceAndClosesAll(string target, int status, int opens)
    {
        var context = await Handle(target);

        Assert.Equal(status, context.Response.StatusCode);
        Assert.Equal(opens, _store.Opens);
        Assert.Equal(0, _store.OpenHandles);
    }

    [Fact]
    public async Task HandleAsync_NotModified_HandleClosed()
    {
        var etag = _store.GetObjectInfo("site", "index.html")!.QuotedETag;

        var context = await Handle("/", c => c.Request.Headers.IfNoneMatch = etag);

        Assert.Equal(304, context.Response.StatusCode);
        Assert.Equal(0, _store.OpenHandles);
    }

    [Theory]
    [InlineData("/a%00b")]
    [InlineData("/a\0b")]
    [InlineData("*")]
    public async Task HandleAsync_NulOrUnusableTarget_BadRequest(string target)
    {
        var context = await Handle(target);

        Assert.Equal(400, context.Response.StatusCode);
        Assert.Equal("InvalidURI", context.Response.Headers["x-amz-error-code"].ToString());
        Assert.Equal(0, _store.Opens);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandleAsync_StoreFails_InternalErrorPage(bool failFindingBucket)
    {
        if (failFindingBucket)
        {
            _store.BucketFailure = new IOException("metadata unreadable");
        }
        else
        {
            _store.OpenFailure = new IOException("disk on fire");
        }

        var context = await Handle("/");

        Assert.Equal(500, context.Response.StatusCode);
        Assert.Equal("InternalError", context.Response.Headers["x-amz-error-code"].ToString());
    }

    [Fact]
    public async Task HandleAsync_NonAsciiRedirectLocation_PercentEncoded()
    {
        _store.Put("site", "old.html", "", headers: new ObjectHeaders { WebsiteRedirectLocation = "/événements/ 2026/" });

        var context = await Handle("/old.html");

        Assert.Equal(301, context.Response.StatusCode);
        Assert.Equal("/%C3%A9v%C3%A9nements/%202026/", context.Response.Headers.Location.ToString());
    }

    private async Task<HttpContext> Handle(string target, Action<HttpContext>? configure = null)
    {
        var context = NewContext(target);
        configure?.Invoke(context);
        await _endpoint.HandleAsync(context);
        return context;
    }

    private static DefaultHttpContext NewContext(string target)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Host = new HostString("site.localhost");
        context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget = target;
        context.Response.Body = new MemoryStream();
        return context;
    }
}

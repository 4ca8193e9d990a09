using Tandem.Origin.Storage;
using Tandem.Origin.Website;

namespace Tandem.Tests.Origin.Website;

public class WebsiteRouterTests
{
    private static readonly WebsiteConfiguration Site = new() { IndexDocumentSuffix = "index.html", ErrorDocumentKey = "404.html" };

    private readonly Dictionary<string, ObjectInfo> _objects = new(StringComparer.Ordinal);
    private readonly List<string> _lookups = [];

    public WebsiteRouterTests()
    {
        Add("index.html");
        Add("404.html");
        Add("photos/index.html");
        Add("events/2026/index.html");
        Add("my photos/index.html");
        Add("notes");
        Add("notes/index.html");
        Add("old.html", new ObjectHeaders { WebsiteRedirectLocation = "/new.html" });
        Add("docs/guide.html", new ObjectHeaders { WebsiteRedirectLocation = "/elsewhere.html" });
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    [InlineData("get")]
    public void Route_NotGetOrHead_MethodNotAllowed(string method)
    {
        var decision = Route("index.html", Bucket(), method);

        AssertFailed(decision, WebsiteError.MethodNotAllowed);
    }

    [Fact]
    public void Route_NoBucket_NoSuchBucket()
    {
        var decision = Route("index.html", bucket: null);

        AssertFailed(decision, WebsiteError.NoSuchBucket);
    }

    [Theory]
    [InlineData("")]
    [InlineData("index.html")]
    [InlineData("photos/")]
    public void Route_NoWebsiteConfiguration_NoSuchWebsiteConfigurationForEveryKey(string key)
    {
        var decision = Route(key, Bucket(website: null, publicRead: true, hasWebsite: false));

        AssertFailed(decision, WebsiteError.NoSuchWebsiteConfiguration);
        Assert.Equal("site", decision.BucketName);
        Assert.Empty(_lookups);
    }

    [Fact]
    public void Route_NoPublicReadPolicy_AccessDeniedWithoutErrorDocument()
    {
        var decision = Route("index.html", Bucket(publicRead: false));

        AssertFailed(decision, WebsiteError.AccessDenied);
        Assert.Empty(_lookups);
    }

    [Fact]
    public void Route_NoPublicReadPolicyWith403Rule_RedirectsByRule()
    {
        var website = Site with { RoutingRules = [Rule(null, 403, new RoutingRuleRedirect("login.example.com", "https", null, "signin", 302))] };

        var decision = Route("members/", Bucket(website, publicRead: false));

        AssertRedirect(decision, 302, "https://login.example.com/signin");
    }

    [Fact]
    public void Route_Root_ServesIndexDocument()
    {
        var decision = Route("", Bucket());

        Assert.Equal(WebsiteAction.Serve, decision.Action);
        Assert.Equal(200, decision.Status);
        Assert.Equal("index.html", decision.Object!.Key);
        Assert.Equal(["index.html"], _lookups);
    }

    [Theory]
    [InlineData("photos/", "photos/index.html")]
    [InlineData("events/2026/", "events/2026/index.html")]
    public void Route_FolderWithSlash_ServesFolderIndex(string key, string expected)
    {
        var decision = Route(key, Bucket());

        Assert.Equal(WebsiteAction.Serve, decision.Action);
        Assert.Equal(expected, decision.Object!.Key);
    }

    [Fact]
    public void Route_HeadOfKey_ServesWithOneLookup()
    {
        var decision = Route("404.html", Bucket(), "HEAD");

        Assert.Equal(WebsiteAction.Serve, decision.Action);
        Assert.Equal("404.html", decision.Object!.Key);
        Assert.Null(decision.Error);
        Assert.Single(_lookups);
    }

    [Theory]
    [InlineData("photos", "/photos/")]
    [InlineData("events/2026", "/events/2026/")]
    [InlineData("my photos", "/my%20photos/")]
    public void Route_FolderWithoutSlash_FoundToSlashedPath(string key, string location)
    {
        var decision = Route(key, Bucket());

        AssertRedirect(decision, 302, location);
    }

    [Fact]
    public void Route_ObjectNamedLikeFolder_ServesObjectNotRedirect()
    {
        var decision = Route("notes", Bucket());

        Assert.Equal(WebsiteAction.Serve, decision.Action);
        Assert.Equal("notes", decision.Object!.Key);
    }

    [Fact]
    public void Route_ObjectWithWebsiteRedirectLocation_MovedPermanently()
    {
        var decision = Route("old.html", Bucket());

        AssertRedirect(decision, 301, "/new.html");
    }

    [Theory]
    [InlineData(null, "http://www.example.com/events/2026/")]
    [InlineData("https", "https://www.example.com/events/2026/")]
    public void Route_RedirectAllRequestsTo_MovedPermanentlyKeepingPath(string? protocol, string location)
    {
        var website = new WebsiteConfiguration { RedirectAllRequestsTo = new RedirectAllRequestsTo("www.example.com", protocol) };

        // Redirecting needs no public policy: the bucket only holds the configuration.
        var decision = Route("events/2026/", Bucket(website, publicRead: false));

        AssertRedirect(decision, 301, location);
        Assert.Empty(_lookups);
    }

    [Fact]
    public void Route_PrefixRule_RedirectsBeforeAnyLookup()
    {
        var website = Site with { RoutingRules = [Rule("docs/", null, new RoutingRuleRedirect(null, null, "documents/", null, null))] };

        var decision = Route("docs/guide.html", Bucket(website));

        AssertRedirect(decision, 301, "/documents/guide.html");
        Assert.Empty(_lookups);
    }

    [Fact]
    public void Route_PrefixRuleWithRequestHost_AbsoluteLocationOnThatHost()
    {
        var website = Site with { RoutingRules = [Rule("docs/", null, new RoutingRuleRedirect(null, null, "documents/", null, null))] };

        var decision = Route("docs/a b.html", Bucket(website), host: "site.localhost:9001");

        Assert.Equal("http://site.localhost:9001/documents/a%20b.html", decision.Location);
    }

    [Fact]
    public void Route_RuleWithHostProtocolAndCode_AllApplied()
    {
        var website = Site with { RoutingRules = [Rule("blog/", null, new RoutingRuleRedirect("blog.example.com", "https", "", null, 307))] };

        var decision = Route("blog/2026/opening-day.html", Bucket(website), host: "site.localhost");

        Assert.Equal(307, decision.Status);
        Assert.Equal("https://blog.example.com/2026/opening-day.html", decision.Location);
    }

    [Fact]
    public void Route_ReplaceKeyWith_WholeKeyReplaced()
    {
        var website = Site with { RoutingRules = [Rule("results/2019", null, new RoutingRuleRedirect(null, null, null, "results/archive.html", 302))] };

        var decision = Route("results/2019/final.html", Bucket(website));

        Assert.Equal(302, decision.Status);
        Assert.Equal("/results/archive.html", decision.Location);
    }

    [Fact]
    public void Route_TwoMatchingRules_FirstWinsNotLongestPrefix()
    {
        var website = Site with
        {
            RoutingRules =
            [
                Rule("docs/", null, new RoutingRuleRedirect(null, null, null, "first.html", null)),
                Rule("docs/guide", null, new RoutingRuleRedirect(null, null, null, "second.html", null)),
            ],
        };

        Assert.Equal("/first.html", Route("docs/guide.html", Bucket(website)).Location);
    }

    [Fact]
    public void Route_RuleWithoutCondition_AppliesToEveryRequest()
    {
        var website = Site with { RoutingRules = [new RoutingRule(null, new RoutingRuleRedirect("new.example.com", null, null, null, null))] };

        Assert.Equal("http://new.example.com/index.html", Route("index.html", Bucket(website)).Location);
    }

    [Fact]
    public void Route_PrefixRuleBeatsObjectRedirectLocation()
    {
        var website = Site with { RoutingRules = [Rule("docs/", null, new RoutingRuleRedirect(null, null, "documents/", null, null))] };

        Assert.Equal("/documents/guide.html", Route("docs/guide.html", Bucket(website)).Location);
    }

    [Fact]
    public void Route_ErrorCodeRuleOnMissingKey_RedirectsAfterLookup()
    {
        var website = Site with { RoutingRules = [Rule(null, 404, new RoutingRuleRedirect(null, null, null, "404.html", 302))] };

        var decision = Route("gone.html", Bucket(website));

        AssertRedirect(decision, 302, "/404.html");
        Assert.Contains("gone.html", _lookups);
    }

    [Fact]
    public void Route_ErrorCodeRuleOnExistingKey_Serves()
    {
        var website = Site with { RoutingRules = [Rule(null, 404, new RoutingRuleRedirect(null, null, null, "404.html", 302))] };

        Assert.Equal(WebsiteAction.Serve, Route("photos/", Bucket(website)).Action);
    }

    [Fact]
    public void Route_ErrorCodeRuleWithOtherPrefix_ErrorDocument()
    {
        var website = Site with { RoutingRules = [Rule("images/", 404, new RoutingRuleRedirect("cdn.example.com", null, null, null, null))] };

        var decision = Route("gone.html", Bucket(website));

        Assert.Equal(WebsiteAction.Serve, decision.Action);
        Assert.Equal("404.html", decision.Object!.Key);
    }

    [Fact]
    public void Route_ErrorCodeAndPrefixRule_ReplacesPrefixOnMiss()
    {
        var website = Site with { RoutingRules = [Rule("images/", 404, new RoutingRuleRedirect("cdn.example.com", "https", "img/", null, null))] };

        Assert.Equal("https://cdn.example.com/img/car.png", Route("images/car.png", Bucket(website)).Location);
    }

    [Fact]
    public void Route_MissingKey_ErrorDocumentWithOriginalStatus()
    {
        var decision = Route("no/such/page.html", Bucket());

        Assert.Equal(WebsiteAction.Serve, decision.Action);
        Assert.Equal(404, decision.Status);
        Assert.Equal("404.html", decision.Object!.Key);
        Assert.Same(WebsiteError.NoSuchKey, decision.Error);
        Assert.Equal("no/such/page.html", decision.Key);
    }

    [Fact]
    public void Route_MissingKeyWithoutErrorDocument_NoSuchKeyNamingKey()
    {
        var decision = Route("gone.html", Bucket(Site with { ErrorDocumentKey = null }));

        Assert.Equal(WebsiteAction.Error, decision.Action);
        Assert.Same(WebsiteError.NoSuchKey, decision.Error);
        Assert.Equal("gone.html", decision.Key);
        Assert.Null(decision.MissingErrorDocument);
    }

    [Fact]
    public void Route_MissingKeyAndMissingErrorDocument_NoSuchKeyNamingBoth()
    {
        var decision = Route("gone.html", Bucket(Site with { ErrorDocumentKey = "errors/missing.html" }));

        Assert.Equal(WebsiteAction.Error, decision.Action);
        Assert.Equal("gone.html", decision.Key);
        Assert.Equal("errors/missing.html", decision.MissingErrorDocument);
    }

    [Fact]
    public void Route_MissingFolderIndex_NoSuchKeyNamesIndexKey()
    {
        var decision = Route("empty/", Bucket(Site with { ErrorDocumentKey = null }));

        Assert.Equal("empty/index.html", decision.Key);
    }

    [Fact]
    public void Route_MissingKeyWithoutSlash_LooksUpKeyFolderIndexAndErrorDocument()
    {
        Route("gone", Bucket());

        Assert.Equal(["gone", "gone/index.html", "404.html"], _lookups);
    }

    [Fact]
    public void Route_PublicOverloadWithoutPolicy_ReadsPolicyFromBucket()
    {
        var bucket = Bucket() with { PolicyJson = null };

        var decision = WebsiteRouter.Route("GET", "index.html", bucket, Lookup);

        Assert.Same(WebsiteError.AccessDenied, decision.Error);
    }

    [Fact]
    public void Route_PublicOverloadWithPolicy_Serves()
    {
        var decision = WebsiteRouter.Route("GET", "", Bucket(), Lookup);

        Assert.Equal("index.html", decision.Object!.Key);
    }

    private static void AssertRedirect(WebsiteDecision decision, int status, string location)
    {
        Assert.Equal(WebsiteAction.Redirect, decision.Action);
        Assert.Equal(status, decision.Status);
        Assert.Equal(location, decision.Location);
    }

    private static void AssertFailed(WebsiteDecision decision, WebsiteError error)
    {
        Assert.Equal(WebsiteAction.Error, decision.Action);
        Assert.Same(error, decision.Error);
        Assert.Equal(error.Status, decision.Status);
    }

    private static RoutingRule Rule(string? prefix, int? code, RoutingRuleRedirect redirect) => new(new RoutingRuleCondition(prefix, code), redirect);

    private static BucketInfo Bucket(WebsiteConfiguration? website = null, bool publicRead = true) => Bucket(website ?? Site, publicRead, hasWebsite: true);

    private static BucketInfo Bucket(WebsiteConfiguration? website, bool publicRead, bool hasWebsite) => new()
    {
        Name = "site",
        Created = InMemoryObjectStore.DefaultLastModified,
        Website = hasWebsite ? website : null,
        PolicyJson = publicRead ? InMemoryObjectStore.PublicReadPolicy("site") : null,
    };

    private WebsiteDecision Route(string key, BucketInfo? bucket, string method = "GET", string? host = null) =>
        WebsiteRouter.Route(method, key, bucket, Lookup, "http", host);

    private ObjectInfo? Lookup(string key)
    {
        _lookups.Add(key);
        return _objects.GetValueOrDefault(key);
    }

    private void Add(string key, ObjectHeaders? headers = null) => _objects[key] = new ObjectInfo
    {
        Key = key,
        Size = 1,
        ETag = "0cc175b9c0f1b6a831c399e269772661",
        LastModified = InMemoryObjectStore.DefaultLastModified,
        Headers = headers ?? ObjectHeaders.Empty,
    };
}

using Tandem.Core.Http;
using Tandem.Origin.Storage;

namespace Tandem.Origin.Website;

/// <summary>Finds an object for the website endpoint; implemented by a struct so the hot path stays allocation-free.</summary>
internal interface IObjectLookup
{
    /// <summary>The object's metadata, or null when there is no such key.</summary>
    ObjectInfo? Find(string key);
}

/// <summary>
/// Decides what S3's website endpoint answers for a request, as plain code: no sockets, no store,
/// only a lookup. The rules, in the order S3 documents them:
/// GET and HEAD only (405); missing bucket (404 NoSuchBucket); no website configuration (404
/// NoSuchWebsiteConfiguration for every key); RedirectAllRequestsTo (301); routing rules whose
/// condition has no error code, first match wins, before any lookup; no public-read policy (403,
/// or a routing rule for 403); index document for "" and "prefix/"; the object, or its
/// x-amz-website-redirect-location (301); "dir" to "/dir/" (302) when "dir/INDEX" exists;
/// routing rules for 404; the error document with 404; the built-in 404 page.
/// </summary>
public static class WebsiteRouter
{
    private const int MovedPermanently = 301;
    private const int Found = 302;

    /// <summary>True for the only methods the website endpoint serves, GET and HEAD (methods are case-sensitive).</summary>
    public static bool IsAllowedMethod(string method) => method is "GET" or "HEAD";

    /// <summary>Decides the answer for one request.</summary>
    /// <param name="method">The request method.</param>
    /// <param name="key">The decoded key: the path without its leading '/'.</param>
    /// <param name="bucket">The bucket, or null when it does not exist.</param>
    /// <param name="lookup">Object metadata by key, or null when missing.</param>
    /// <param name="scheme">Scheme of the request: redirects without a protocol of their own keep it.</param>
    /// <param name="host">Host of the request: routing-rule redirects without a HostName keep it; when
    /// null they are sent as a path on the same host.</param>
    public static WebsiteDecision Route(string method, string key, BucketInfo? bucket, Func<string, ObjectInfo?> lookup, string scheme = "http", string? host = null)
    {
        var adapter = new FuncLookup(lookup);
        return Route(method, key, bucket, bucket?.IsPublicRead ?? false, scheme, host, ref adapter);
    }

    /// <summary>
    /// As the public overload, with the public-read flag given (the endpoint caches it rather than
    /// parsing the policy per request) and the lookup a struct the caller keeps state in.
    /// </summary>
    internal static WebsiteDecision Route<TLookup>(string method, string key, BucketInfo? bucket, bool publicRead, string scheme, string? host, ref TLookup lookup)
        where TLookup : struct, IObjectLookup
    {
        if (!IsAllowedMethod(method))
        {
            return WebsiteDecision.Fail(WebsiteError.MethodNotAllowed);
        }

        if (bucket is null)
        {
            return WebsiteDecision.Fail(WebsiteError.NoSuchBucket);
        }

        if (bucket.Website is not { } website)
        {
            return WebsiteDecision.Fail(WebsiteError.NoSuchWebsiteConfiguration, bucketName: bucket.Name);
        }

        if (website.RedirectAllRequestsTo is { } all)
        {
            return WebsiteDecision.Redirect(MovedPermanently, (all.Protocol ?? scheme) + "://" + all.HostName + UrlPath.Encode("/" + key));
        }

        var rules = website.RoutingRules;
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Condition?.HttpErrorCodeReturnedEquals is null && PrefixMatches(rules[i], key))
            {
                return RuleRedirect(rules[i], key, scheme, host);
            }
        }

        if (!publicRead)
        {
            // The error document is not readable either without a public policy, so S3 sends its
            // own page; only a routing rule for 403 can still redirect.
            return ErrorRule(rules, 403, key, scheme, host) ?? WebsiteDecision.Fail(WebsiteError.AccessDenied, bucketName: bucket.Name);
        }

        var suffix = website.IndexDocumentSuffix;
        var isFolder = key.Length == 0 || key[^1] == '/';
        var target = isFolder && suffix is not null ? key + suffix : key;
        if (lookup.Find(target) is { } info)
        {
            return info.Headers.WebsiteRedirectLocation is { Length: > 0 } location
                ? WebsiteDecision.Redirect(MovedPermanently, location)
                : WebsiteDecision.Serve(info);
        }

        if (!isFolder && suffix is not null && lookup.Find(key + "/" + suffix) is not null)
        {
            return WebsiteDecision.Redirect(Found, UrlPath.Encode("/" + key + "/"));
        }

        if (ErrorRule(rules, 404, key, scheme, host) is { } redirect)
        {
            return redirect;
        }

        if (website.ErrorDocumentKey is not { Length: > 0 } errorKey)
        {
            return WebsiteDecision.Fail(WebsiteError.NoSuchKey, key: target);
        }

        return lookup.Find(errorKey) is { } document
            ? WebsiteDecision.ServeErrorDocument(document, WebsiteError.NoSuchKey, target)
            : WebsiteDecision.Fail(WebsiteError.NoSuchKey, key: target) with { MissingErrorDocument = errorKey };
    }

    private static WebsiteDecision? ErrorRule(IReadOnlyList<RoutingRule> rules, int status, string key, string scheme, string? host)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Condition?.HttpErrorCodeReturnedEquals == status && PrefixMatches(rules[i], key))
            {
                return RuleRedirect(rules[i], key, scheme, host);
            }
        }

        return null;
    }

    private static bool PrefixMatches(RoutingRule rule, string key) =>
        rule.Condition?.KeyPrefixEquals is not { } prefix || key.StartsWith(prefix, StringComparison.Ordinal);

    private static WebsiteDecision RuleRedirect(RoutingRule rule, string key, string scheme, string? host)
    {
        var redirect = rule.Redirect;
        var newKey = redirect.ReplaceKeyWith
            ?? (redirect.ReplaceKeyPrefixWith is { } replacement ? replacement + key[(rule.Condition?.KeyPrefixEquals?.Length ?? 0)..] : key);
        var path = UrlPath.Encode("/" + newKey);
        var targetHost = redirect.HostName ?? host;
        var location = targetHost is null ? path : (redirect.Protocol ?? scheme) + "://" + targetHost + path;
        return WebsiteDecision.Redirect(redirect.HttpRedirectCode ?? MovedPermanently, location);
    }

    private readonly struct FuncLookup(Func<string, ObjectInfo?> lookup) : IObjectLookup
    {
        public ObjectInfo? Find(string key) => lookup(key);
    }
}

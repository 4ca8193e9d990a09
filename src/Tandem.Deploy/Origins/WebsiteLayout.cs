using Amazon.S3.Model;
using Tandem.Core.Configuration;
using Tandem.Core.Releases;

namespace Tandem.Deploy.Origins;

/// <summary>The website configuration that makes an origin's own website endpoint serve a release.</summary>
public static class WebsiteLayout
{
    /// <summary>Plain hosting of the bucket's root (before any release exists).</summary>
    public static WebsiteConfiguration Plain(SiteConfig site) => new()
    {
        IndexDocumentSuffix = site.IndexDocument,
        ErrorDocument = site.ErrorDocument,
    };

    /// <summary>
    /// Hosting that lands every visitor in release <paramref name="id"/>: a missing key outside the
    /// releases folder is redirected into "P releases/ID/"; a missing key inside a release goes to
    /// that release's error document (so a missing file never loops between releases).
    /// </summary>
    public static WebsiteConfiguration ForRelease(SiteConfig site, string prefix, string id)
    {
        var release = ReleaseLayout.ReleaseKeyPrefix(prefix, id);
        var error = site.ErrorDocument is { } doc ? release + doc : null;
        var rules = new List<RoutingRule>();
        if (error is not null)
        {
            rules.Add(new RoutingRule
            {
                Condition = new RoutingRuleCondition { KeyPrefixEquals = ReleaseLayout.Prefix(prefix) + ReleaseLayout.ReleasesFolder, HttpErrorCodeReturnedEquals = "404" },
                Redirect = new RoutingRuleRedirect { ReplaceKeyWith = error, HttpRedirectCode = "302" },
            });
        }

        rules.Add(new RoutingRule
        {
            Condition = new RoutingRuleCondition { KeyPrefixEquals = prefix.Length == 0 ? null : prefix, HttpErrorCodeReturnedEquals = "404" },
            Redirect = new RoutingRuleRedirect { ReplaceKeyPrefixWith = release, HttpRedirectCode = "302" },
        });
        return new WebsiteConfiguration { IndexDocumentSuffix = site.IndexDocument, ErrorDocument = error, RoutingRules = rules };
    }

    /// <summary>A text form for comparing two configurations (what setup uses to say "unchanged").</summary>
    public static string Describe(WebsiteConfiguration? w) => w is null ? "none" :
        $"index={w.IndexDocumentSuffix};error={w.ErrorDocument};" + string.Join(";", (w.RoutingRules ?? []).Select(r =>
            $"{r.Condition?.KeyPrefixEquals}|{r.Condition?.HttpErrorCodeReturnedEquals}|{r.Redirect?.ReplaceKeyWith}|{r.Redirect?.ReplaceKeyPrefixWith}|{r.Redirect?.HttpRedirectCode}"));

    /// <summary>Public read of every object, as the reference setup script applies.</summary>
    public static string PublicReadPolicy(string bucket) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{bucket}}/*"}]}""";
}

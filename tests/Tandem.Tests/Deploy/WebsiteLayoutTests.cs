using Tandem.Core.Configuration;
using Tandem.Deploy.Origins;

namespace Tandem.Tests.Deploy;

public sealed class WebsiteLayoutTests
{
    [Fact]
    public void ForRelease_WithPrefix_RulesInOrder()
    {
        var w = WebsiteLayout.ForRelease(new SiteConfig(), "www/", "0123456789ab");

        Assert.Equal("index.html", w.IndexDocumentSuffix);
        Assert.Equal("www/releases/0123456789ab/404.html", w.ErrorDocument);
        Assert.Equal(("www/releases/", "404", "www/releases/0123456789ab/404.html", "302"),
            (w.RoutingRules[0].Condition.KeyPrefixEquals, w.RoutingRules[0].Condition.HttpErrorCodeReturnedEquals, w.RoutingRules[0].Redirect.ReplaceKeyWith, w.RoutingRules[0].Redirect.HttpRedirectCode));
        Assert.Equal(("www/", "404", "www/releases/0123456789ab/", "302"),
            (w.RoutingRules[1].Condition.KeyPrefixEquals, w.RoutingRules[1].Condition.HttpErrorCodeReturnedEquals, w.RoutingRules[1].Redirect.ReplaceKeyPrefixWith, w.RoutingRules[1].Redirect.HttpRedirectCode));
    }

    [Fact]
    public void ForRelease_NoPrefix_SecondRuleHasNoKeyPrefix()
    {
        var w = WebsiteLayout.ForRelease(new SiteConfig(), "", "0123456789ab");

        Assert.Null(w.RoutingRules[1].Condition.KeyPrefixEquals);
        Assert.Equal("releases/0123456789ab/", w.RoutingRules[1].Redirect.ReplaceKeyPrefixWith);
    }
}

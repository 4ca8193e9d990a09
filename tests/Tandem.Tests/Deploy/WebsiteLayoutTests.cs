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

public sealed class ListingRangeTests
{
    [Fact]
    public void Utf8Order_AstralCharacterSortsAfterPrivateUseArea_AsS3Lists()
    {
        // UTF-16 puts a surrogate pair (D83D…) before U+E000; UTF-8 (F0…) puts it after (EE…).
        Assert.True(string.CompareOrdinal("\U0001F600", "\uE000") < 0);
        Assert.True(Tandem.Deploy.Origins.Utf8Order.Compare("\U0001F600", "\uE000") > 0);
        Assert.Equal(0, Tandem.Deploy.Origins.Utf8Order.Compare("a/b", "a/b"));
    }

    [Fact]
    public void RangeBounds_SplitsSortedKeysIntoConsecutiveRanges()
    {
        var keys = Enumerable.Range(0, 10).Select(i => $"k{i}").Reverse().ToList();

        Assert.Equal(["k2", "k5", "k8"], Tandem.Deploy.Origins.ReleaseReader.RangeBounds(keys, 3));
        Assert.Empty(Tandem.Deploy.Origins.ReleaseReader.RangeBounds(keys, 10));
    }
}

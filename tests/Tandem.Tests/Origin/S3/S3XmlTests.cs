using System.Text;
using Tandem.Origin;
using Tandem.Origin.S3;
using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.S3;

public sealed class S3XmlTests
{
    [Fact]
    public void ParseWebsite_WrittenDocument_RoundTripsRules()
    {
        var config = new WebsiteConfiguration
        {
            IndexDocumentSuffix = "index.html",
            ErrorDocumentKey = "404.html",
            RoutingRules =
            [
                new RoutingRule(new RoutingRuleCondition("docs/", null), new RoutingRuleRedirect(null, null, "documents/", null, 301)),
                new RoutingRule(new RoutingRuleCondition(null, 404), new RoutingRuleRedirect("example.com", "https", null, "missing.html", null)),
            ],
        };

        var parsed = S3Xml.ParseWebsite(S3Xml.WriteWebsite(config));

        Assert.Equal(config.IndexDocumentSuffix, parsed.IndexDocumentSuffix);
        Assert.Equal(config.ErrorDocumentKey, parsed.ErrorDocumentKey);
        Assert.Equal(config.RoutingRules, parsed.RoutingRules);
    }

    [Fact]
    public void ParseWebsite_RedirectAll_ExcludesOtherSettings()
    {
        var ok = S3Xml.ParseWebsite(Encoding.UTF8.GetBytes("<WebsiteConfiguration><RedirectAllRequestsTo><HostName>example.com</HostName><Protocol>https</Protocol></RedirectAllRequestsTo></WebsiteConfiguration>"));
        var mixed = Assert.Throws<S3Exception>(() => S3Xml.ParseWebsite(Encoding.UTF8.GetBytes(
            "<WebsiteConfiguration><RedirectAllRequestsTo><HostName>x</HostName></RedirectAllRequestsTo><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>")));

        Assert.Equal(new RedirectAllRequestsTo("example.com", "https"), ok.RedirectAllRequestsTo);
        Assert.Equal("InvalidRequest", mixed.Code);
    }

    [Theory]
    [InlineData("<WebsiteConfiguration><IndexDocument><Suffix></Suffix></IndexDocument></WebsiteConfiguration>", "InvalidArgument")]
    [InlineData("<WebsiteConfiguration><IndexDocument><Suffix>a/index.html</Suffix></IndexDocument></WebsiteConfiguration>", "InvalidArgument")]
    [InlineData("<WebsiteConfiguration><IndexDocument>", "MalformedXML")]
    [InlineData("<Other/>", "MalformedXML")]
    [InlineData("", "MalformedXML")]
    [InlineData("<!DOCTYPE x [<!ENTITY e \"boom\">]><WebsiteConfiguration><IndexDocument><Suffix>&e;</Suffix></IndexDocument></WebsiteConfiguration>", "MalformedXML")]
    public void ParseWebsite_BadDocuments_GiveTheS3Error(string xml, string code)
    {
        var ex = Assert.Throws<S3Exception>(() => S3Xml.ParseWebsite(Encoding.UTF8.GetBytes(xml)));

        Assert.Equal(code, ex.Code);
        Assert.Equal(400, ex.Status);
    }

    [Fact]
    public void Error_Document_HasCodeMessageResourceAndRequestId()
    {
        var xml = Encoding.UTF8.GetString(S3Xml.Error(S3Exception.NoSuchKey("site", "a&b"), "REQ1"));

        Assert.Contains("<Code>NoSuchKey</Code>", xml, StringComparison.Ordinal);
        Assert.Contains("<Resource>site/a&amp;b</Resource>", xml, StringComparison.Ordinal);
        Assert.Contains("<RequestId>REQ1</RequestId>", xml, StringComparison.Ordinal);
    }

    [Fact]
    public void Timestamp_Utc_HasMilliseconds()
    {
        Assert.Equal("2026-01-02T03:04:05.678Z", S3Xml.Timestamp(new DateTimeOffset(2026, 1, 2, 4, 4, 5, 678, TimeSpan.FromHours(1))));
    }
}

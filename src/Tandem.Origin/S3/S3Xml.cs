using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Tandem.Origin.Storage;

namespace Tandem.Origin.S3;

/// <summary>Reads S3 request documents and writes S3 response documents.</summary>
public static class S3Xml
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = false,
        OmitXmlDeclaration = false,
    };

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = 4 * 1024 * 1024,
        IgnoreComments = true,
    };

    /// <summary>S3's timestamp format in XML: ISO 8601 with milliseconds, UTC.</summary>
    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Builds a document with <paramref name="root"/> in S3's namespace.</summary>
    public static byte[] Write(string root, Action<XmlWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = XmlWriter.Create(ms, WriterSettings))
        {
            w.WriteStartDocument();
            w.WriteStartElement(root, Namespace);
            body(w);
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return ms.ToArray();
    }

    /// <summary>S3's error document.</summary>
    public static byte[] Error(S3Exception error, string requestId)
    {
        using var ms = new MemoryStream();
        using (var w = XmlWriter.Create(ms, WriterSettings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("Error");
            w.WriteElementString("Code", error.Code);
            w.WriteElementString("Message", error.Message);
            if (error.Resource is not null)
            {
                w.WriteElementString("Resource", error.Resource);
            }

            if (error.Details is not null)
            {
                foreach (var (k, v) in error.Details)
                {
                    w.WriteElementString(k, v);
                }
            }

            w.WriteElementString("RequestId", requestId);
            w.WriteElementString("HostId", requestId);
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        return ms.ToArray();
    }

    /// <summary>Parses a request body; MalformedXML when it is not well-formed or the root is wrong.</summary>
    public static XElement Parse(byte[] body, string expectedRoot)
    {
        if (body.Length == 0)
        {
            throw S3Exception.MalformedXml("the request body is empty");
        }

        XDocument doc;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(body), ReaderSettings);
            doc = XDocument.Load(reader);
        }
        catch (XmlException ex)
        {
            throw S3Exception.MalformedXml(ex.Message);
        }

        var root = doc.Root!;
        if (root.Name.LocalName != expectedRoot)
        {
            throw S3Exception.MalformedXml($"expected <{expectedRoot}>, found <{root.Name.LocalName}>");
        }

        return root;
    }

    /// <summary>Child element by local name, ignoring namespaces (clients differ in sending one).</summary>
    public static XElement? Child(this XElement e, string name) => e.Elements().FirstOrDefault(c => c.Name.LocalName == name);

    public static IEnumerable<XElement> Children(this XElement e, string name) => e.Elements().Where(c => c.Name.LocalName == name);

    public static string? ChildValue(this XElement e, string name) => e.Child(name)?.Value;

    public static void Element(this XmlWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteElementString(name, Namespace, value);
        }
    }

    public static void Owner(XmlWriter w, string element = "Owner")
    {
        w.WriteStartElement(element, Namespace);
        w.Element("ID", OwnerId);
        w.Element("DisplayName", "tandem");
        w.WriteEndElement();
    }

    /// <summary>The single owner of everything in a Tandem origin.</summary>
    public const string OwnerId = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";

    public static WebsiteConfiguration ParseWebsite(byte[] body)
    {
        var root = Parse(body, "WebsiteConfiguration");
        var redirectAll = root.Child("RedirectAllRequestsTo");
        var index = root.Child("IndexDocument")?.ChildValue("Suffix");
        var error = root.Child("ErrorDocument")?.ChildValue("Key");
        var rules = new List<RoutingRule>();
        foreach (var rule in root.Child("RoutingRules")?.Children("RoutingRule") ?? [])
        {
            var cond = rule.Child("Condition");
            var redirect = rule.Child("Redirect") ?? throw S3Exception.MalformedXml("a RoutingRule needs a Redirect");
            var code = cond?.ChildValue("HttpErrorCodeReturnedEquals");
            var redirectCode = redirect.ChildValue("HttpRedirectCode");
            var replaceKey = redirect.ChildValue("ReplaceKeyWith");
            var replacePrefix = redirect.ChildValue("ReplaceKeyPrefixWith");
            if (replaceKey is not null && replacePrefix is not null)
            {
                throw S3Exception.InvalidRequest("A RoutingRule's Redirect can have ReplaceKeyWith or ReplaceKeyPrefixWith, not both.");
            }

            rules.Add(new RoutingRule(
                cond is null ? null : new RoutingRuleCondition(cond.ChildValue("KeyPrefixEquals"), code is null ? null : ParseInt(code, "HttpErrorCodeReturnedEquals")),
                new RoutingRuleRedirect(redirect.ChildValue("HostName"), redirect.ChildValue("Protocol"), replacePrefix, replaceKey,
                    redirectCode is null ? null : ParseInt(redirectCode, "HttpRedirectCode"))));
        }

        if (redirectAll is not null)
        {
            if (index is not null || error is not null || rules.Count > 0)
            {
                throw S3Exception.InvalidRequest("RedirectAllRequestsTo cannot be combined with other website settings.");
            }

            var host = redirectAll.ChildValue("HostName");
            if (string.IsNullOrEmpty(host))
            {
                throw S3Exception.MalformedXml("RedirectAllRequestsTo needs a HostName");
            }

            return new WebsiteConfiguration { RedirectAllRequestsTo = new RedirectAllRequestsTo(host, redirectAll.ChildValue("Protocol")) };
        }

        if (string.IsNullOrEmpty(index) || index.Contains('/', StringComparison.Ordinal))
        {
            throw S3Exception.InvalidArgument("The IndexDocument Suffix is not well formed: it must be non-empty and must not contain '/'.");
        }

        return new WebsiteConfiguration { IndexDocumentSuffix = index, ErrorDocumentKey = error, RoutingRules = rules };
    }

    public static byte[] WriteWebsite(WebsiteConfiguration c) => Write("WebsiteConfiguration", w =>
    {
        if (c.RedirectAllRequestsTo is { } all)
        {
            w.WriteStartElement("RedirectAllRequestsTo", Namespace);
            w.Element("HostName", all.HostName);
            w.Element("Protocol", all.Protocol);
            w.WriteEndElement();
            return;
        }

        w.WriteStartElement("IndexDocument", Namespace);
        w.Element("Suffix", c.IndexDocumentSuffix);
        w.WriteEndElement();
        if (c.ErrorDocumentKey is not null)
        {
            w.WriteStartElement("ErrorDocument", Namespace);
            w.Element("Key", c.ErrorDocumentKey);
            w.WriteEndElement();
        }

        if (c.RoutingRules.Count > 0)
        {
            w.WriteStartElement("RoutingRules", Namespace);
            foreach (var rule in c.RoutingRules)
            {
                w.WriteStartElement("RoutingRule", Namespace);
                if (rule.Condition is { } cond)
                {
                    w.WriteStartElement("Condition", Namespace);
                    w.Element("KeyPrefixEquals", cond.KeyPrefixEquals);
                    w.Element("HttpErrorCodeReturnedEquals", cond.HttpErrorCodeReturnedEquals?.ToString(CultureInfo.InvariantCulture));
                    w.WriteEndElement();
                }

                var r = rule.Redirect;
                w.WriteStartElement("Redirect", Namespace);
                w.Element("HostName", r.HostName);
                w.Element("HttpRedirectCode", r.HttpRedirectCode?.ToString(CultureInfo.InvariantCulture));
                w.Element("Protocol", r.Protocol);
                w.Element("ReplaceKeyPrefixWith", r.ReplaceKeyPrefixWith);
                w.Element("ReplaceKeyWith", r.ReplaceKeyWith);
                w.WriteEndElement();
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }
    });

    private static int ParseInt(string s, string what) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw S3Exception.MalformedXml($"{what} '{s}' is not a number");
}

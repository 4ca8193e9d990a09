using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Tandem.Origin.Website;

/// <summary>S3's built-in website error page: HTML, not XML, with the code, message and request id.</summary>
internal static class ErrorPage
{
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>
    /// The page body. <paramref name="missingErrorDocument"/> names a configured error document that
    /// does not exist; S3 then adds a second section saying so.
    /// </summary>
    public static byte[] Render(WebsiteError error, string? key, string? bucketName, string requestId, string? missingErrorDocument = null)
    {
        var title = $"{error.Status} {ReasonPhrases.GetReasonPhrase(error.Status)}";
        var html = new StringBuilder(512);
        html.Append("<html>\n<head><title>").Append(title).Append("</title></head>\n<body>\n<h1>").Append(title).Append("</h1>\n<ul>\n");
        Item(html, "Code", error.Code);
        Item(html, "Message", error.Message);
        if (bucketName is not null)
        {
            Item(html, "BucketName", bucketName);
        }

        if (key is not null)
        {
            Item(html, "Key", key);
        }

        Item(html, "RequestId", requestId);
        html.Append("</ul>\n");
        if (missingErrorDocument is not null)
        {
            html.Append("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n");
            Item(html, "Code", WebsiteError.NoSuchKey.Code);
            Item(html, "Message", WebsiteError.NoSuchKey.Message);
            Item(html, "Key", missingErrorDocument);
            html.Append("</ul>\n");
        }

        html.Append("<hr/>\n</body>\n</html>\n");
        return Encoding.UTF8.GetBytes(html.ToString());
    }

    // Keys come from the request: encoded, so a key cannot inject markup into the page.
    private static void Item(StringBuilder html, string name, string value) =>
        html.Append("<li>").Append(name).Append(": ").Append(WebUtility.HtmlEncode(value)).Append("</li>\n");
}

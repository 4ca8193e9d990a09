using System.Text;
using Tandem.Origin.Website;

namespace Tandem.Tests.Origin.Website;

public class ErrorPageTests
{
    [Fact]
    public void Render_NoSuchKey_S3StylePage()
    {
        var html = Render(WebsiteError.NoSuchKey, "gone.html", null);

        Assert.Contains("<title>404 Not Found</title>", html);
        Assert.Contains("<h1>404 Not Found</h1>", html);
        Assert.Contains("<li>Code: NoSuchKey</li>", html);
        Assert.Contains("<li>Message: The specified key does not exist.</li>", html);
        Assert.Contains("<li>Key: gone.html</li>", html);
        Assert.Contains("<li>RequestId: 0123456789ABCDEF</li>", html);
        Assert.DoesNotContain("BucketName", html);
    }

    [Fact]
    public void Render_BucketError_NamesBucket()
    {
        var html = Render(WebsiteError.NoSuchWebsiteConfiguration, null, "site");

        Assert.Contains("<li>BucketName: site</li>", html);
        Assert.DoesNotContain("Key:", html);
    }

    [Fact]
    public void Render_KeyWithMarkup_Escaped()
    {
        var html = Render(WebsiteError.NoSuchKey, "<script>alert(1)</script>", null);

        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Fact]
    public void Render_MissingErrorDocument_SecondSection()
    {
        var html = Encoding.UTF8.GetString(ErrorPage.Render(WebsiteError.NoSuchKey, "gone.html", null, "R", "404.html"));

        Assert.Contains("An Error Occurred While Attempting to Retrieve a Custom Error Document", html);
        Assert.Contains("<li>Key: 404.html</li>", html);
    }

    [Fact]
    public void Render_MethodNotAllowed_StatusInTitle()
    {
        Assert.Contains("<title>405 Method Not Allowed</title>", Render(WebsiteError.MethodNotAllowed, null, null));
    }

    private static string Render(WebsiteError error, string? key, string? bucket) =>
        Encoding.UTF8.GetString(ErrorPage.Render(error, key, bucket, "0123456789ABCDEF"));
}

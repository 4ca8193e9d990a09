using System.Security.Cryptography;
using System.Text;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Origin;

/// <summary>
/// Malformed documents, ranges, headers, keys, operations and names that do not exist: each gets
/// the answer an S3 client expects, nothing is stored, and the origin keeps serving.
/// </summary>
public sealed class BadInputTests
{
    private static readonly byte[] Original = RandomNumberGenerator.GetBytes(1000);

    /// <summary>Each request document with each way of being unacceptable XML.</summary>
    public static TheoryData<string, string> BadDocuments
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var operation in new[] { "PutBucketWebsite", "DeleteObjects", "CompleteMultipartUpload" })
            {
                foreach (var shape in new[] { "empty", "not XML", "unclosed", "wrong root", "mismatched tags", "billion laughs", "external entity" })
                {
                    data.Add(operation, shape);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public async Task Document_NotAcceptableXml_MalformedXmlWithoutExpandingAndNothingChanges(string operation, string shape)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);
        var uploadId = await StartUploadAsync(origin);

        var response = await origin.SendAsync(DocumentRequest(origin, operation, uploadId, Encoding.UTF8.GetBytes(BadDocument(operation, shape))).Sign(origin.Credentials));

        response.AssertError(400, "MalformedXML");
        Assert.DoesNotContain("lollollol", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", response.Text, StringComparison.Ordinal);
        await AssertUnchangedAsync(origin, uploadId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Document_LargerThanLimit_MaxMessageLengthExceeded(bool chunkedTransfer)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);
        var uploadId = await StartUploadAsync(origin);

        // A well-formed DeleteObjects of 3 MB, over the 2 MiB document limit.
        var xml = new StringBuilder("<Delete>");
        while (xml.Length < 3 * 1024 * 1024)
        {
            xml.Append("<Object><Key>doc.bin</Key></Object>");
        }

        var body = Encoding.UTF8.GetBytes(xml.Append("</Delete>").ToString());
        var request = origin.Request("POST", "/site?delete").WithBody(body).Sign(origin.Credentials);
        if (chunkedTransfer)
        {
            // No length up front: the limit has to hold while the document is read.
            request.Header("Transfer-Encoding", "chunked").WithBody([.. Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), .. body, .. "\r\n0\r\n\r\n"u8]);
        }

        (await origin.SendAsync(request)).AssertError(400, "MaxMessageLengthExceeded");
        await AssertUnchangedAsync(origin, uploadId);
    }

    /// <summary>Range header, status, and the Content-Range of the answer (null for none).</summary>
    public static TheoryData<string, int, string?> Ranges => new()
    {
        { "bytes=10-19", 206, "bytes 10-19/1000" },
        { "bytes=-10", 206, "bytes 990-999/1000" },
        { "bytes=990-5000", 206, "bytes 990-999/1000" },
        { "bytes=99999999-", 416, "bytes */1000" },
        { "bytes=1000-", 416, "bytes */1000" },
        { "bytes=-0", 416, "bytes */1000" },
        { "bytes=500-100", 200, null },
        { "garbage", 200, null },
        { "bytes=a-b", 200, null },
        { "bytes=--5", 200, null },
        { "items=0-10", 200, null },
        { "bytes=0-1,5-6", 200, null },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task GetObject_Range_AnswersAsS3(string range, int status, string? contentRange)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);

        var api = await origin.SendAsync(origin.Request("GET", "/site/doc.bin").Header("Range", range).Sign(origin.Credentials));
        var website = await RawHttp.SendAsync(origin.WebsiteUrl, new RawRequest("GET", "/doc.bin", new Uri(origin.WebsiteUrl).Authority).Header("Range", range));

        foreach (var (endpoint, response) in new[] { ("S3 API", api), ("website", website) })
        {
            Assert.True(response.Status == status, $"{endpoint}: {range} gave {response.Status}, not {status}");
            Assert.Equal(contentRange, response.Header("Content-Range"));
            var expected = status switch
            {
                200 => Original,
                206 => ExpectedPart(contentRange!),
                _ => null,
            };
            if (expected is not null)
            {
                Assert.Equal(expected, response.Body);
            }
        }

        if (status == 416)
        {
            api.AssertError(416, "InvalidRange");
        }

        await origin.AssertStillServesAsync();
    }

    [Fact]
    public async Task Request_HugeHeader_431AndServerKeepsServing()
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);
        var huge = new string('h', 100 * 1024);

        var api = await origin.SendAsync(origin.Request("GET", "/site/doc.bin").Header("x-huge", huge));
        var website = await RawHttp.SendAsync(origin.WebsiteUrl, new RawRequest("GET", "/doc.bin", new Uri(origin.WebsiteUrl).Authority).Header("x-huge", huge));
        var many = origin.Request("GET", "/site/doc.bin");
        for (var i = 0; i < 500; i++)
        {
            many.Header($"x-many-{i}", "v");
        }

        Assert.Equal(431, api.Status);
        Assert.Equal(431, website.Status);
        Assert.Equal(431, (await origin.SendAsync(many)).Status);
        await origin.AssertObjectAsync("doc.bin", Original);
        await origin.AssertStillServesAsync();
    }

    [Fact]
    public async Task PutObject_KeyOver1024Bytes_KeyTooLongErrorAndNothingStored()
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);
        var longest = new string('k', 1024);

        var atLimit = await origin.SendAsync(origin.Request("PUT", "/site/" + longest).WithBody(Original).Sign(origin.Credentials));
        var overByOne = await origin.SendAsync(origin.Request("PUT", "/site/" + longest + "k").WithBody(Original).Sign(origin.Credentials));
        var tenThousand = await origin.SendAsync(origin.Request("PUT", "/site/" + new string('k', 10_000)).WithBody(Original).Sign(origin.Credentials));

        Assert.Equal(200, atLimit.Status);
        overByOne.AssertError(400, "KeyTooLongError");
        tenThousand.AssertError(400, "KeyTooLongError");
        Assert.Equal(["doc.bin", longest], origin.Host.Store.List("site", new Tandem.Origin.Storage.ListRequest()).Objects.Select(o => o.Key).Order(StringComparer.Ordinal));
        await origin.AssertNoTempFilesAsync();
        await origin.AssertStillServesAsync();
    }

    public static TheoryData<string, string> UnsupportedOperations
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var sub in new[] { "tagging", "versioning", "cors", "lifecycle" })
            {
                foreach (var method in new[] { "GET", "PUT", "DELETE" })
                {
                    data.Add(method, $"/site?{sub}");
                    data.Add(method, $"/site/doc.bin?{sub}");
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(UnsupportedOperations))]
    public async Task Subresource_NotImplemented_501AndObjectUntouched(string method, string target)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);

        // A PUT or DELETE that ignored the sub-resource would replace or remove doc.bin.
        var request = origin.Request(method, target);
        if (method == "PUT")
        {
            request.WithBody("<Tagging><TagSet/></Tagging>"u8.ToArray());
        }

        (await origin.SendAsync(request.Sign(origin.Credentials))).AssertError(501, "NotImplemented");
        await origin.AssertObjectAsync("doc.bin", Original);
        await origin.AssertStillServesAsync();
    }

    [Theory]
    [InlineData("PUT", "/site/doc.bin?website")]
    [InlineData("PUT", "/site/doc.bin?policy")]
    [InlineData("DELETE", "/site/doc.bin?website")]
    [InlineData("DELETE", "/site/doc.bin?policy")]
    [InlineData("POST", "/site/doc.bin?delete")]
    [InlineData("GET", "/site/doc.bin?location")]
    public async Task BucketSubresource_OnAnObject_InvalidRequestAndObjectUntouched(string method, string target)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);

        // Routed as a plain object write or delete, these would replace or remove doc.bin.
        var request = origin.Request(method, target);
        if (method is "PUT" or "POST")
        {
            request.WithBody("<WebsiteConfiguration/>"u8.ToArray());
        }

        (await origin.SendAsync(request.Sign(origin.Credentials))).AssertError(400, "InvalidRequest");
        await origin.AssertObjectAsync("doc.bin", Original);
    }

    [Theory]
    [InlineData("PATCH", "/site/doc.bin")]
    [InlineData("PATCH", "/site")]
    [InlineData("PROPFIND", "/site/doc.bin")]
    [InlineData("FOO", "/")]
    public async Task Request_UnknownMethod_MethodNotAllowed(string method, string target)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);

        var response = await origin.SendAsync(origin.Request(method, target).WithBody("patch"u8.ToArray()).Sign(origin.Credentials));

        response.AssertError(405, "MethodNotAllowed");
        await origin.AssertObjectAsync("doc.bin", Original);
        await origin.AssertStillServesAsync();
    }

    [Theory]
    [InlineData("GET", "/nobucket/doc.bin", 404, "NoSuchBucket")]
    [InlineData("PUT", "/nobucket/doc.bin", 404, "NoSuchBucket")]
    [InlineData("GET", "/nobucket", 404, "NoSuchBucket")]
    [InlineData("DELETE", "/nobucket", 404, "NoSuchBucket")]
    [InlineData("GET", "/site/missing.bin", 404, "NoSuchKey")]
    [InlineData("GET", "/site/doc.bin?uploadId=bogus", 404, "NoSuchUpload")]
    [InlineData("PUT", "/site/doc.bin?uploadId=bogus&partNumber=1", 404, "NoSuchUpload")]
    [InlineData("POST", "/site/doc.bin?uploadId=bogus", 404, "NoSuchUpload")]
    [InlineData("DELETE", "/site/doc.bin?uploadId=bogus", 404, "NoSuchUpload")]
    [InlineData("GET", "/site/doc.bin?uploadId=..%2F..%2F..%2Ftmp", 404, "NoSuchUpload")]
    [InlineData("DELETE", "/site/doc.bin?uploadId=..%2F..%2Fbuckets%2Fsite", 404, "NoSuchUpload")]
    public async Task Request_MissingBucketKeyOrUpload_S3NotFoundCode(string method, string target, int status, string code)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);
        var request = origin.Request(method, target);
        if (method is "PUT" or "POST")
        {
            request.WithBody(method == "POST"
                ? "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>"u8.ToArray()
                : Original);
        }

        (await origin.SendAsync(request.Sign(origin.Credentials))).AssertError(status, code);
        await origin.AssertObjectAsync("doc.bin", Original);
        Assert.Equal(["site"], origin.Host.Store.ListBuckets().Select(b => b.Name));
        await origin.AssertStillServesAsync();
    }

    [Theory]
    [InlineData("/site/missing.bin")]
    [InlineData("/nobucket/doc.bin")]
    public async Task HeadObject_Missing_404WithoutBody(string target)
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("doc.bin", Original);

        var response = await origin.SendAsync(origin.Request("HEAD", target).Sign(origin.Credentials));

        Assert.Equal(404, response.Status);
        Assert.Empty(response.Body);
        await origin.AssertStillServesAsync();
    }

    private static string BadDocument(string operation, string shape)
    {
        const string billionLaughs = """
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
              <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
              <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
              <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
              <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
              <!ENTITY x "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
            ]>
            """;

        // With a DTD, the entity &x; stands where each document has a value the origin would keep or echo.
        var withEntity = operation switch
        {
            "PutBucketWebsite" => "<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>&x;</Key></ErrorDocument></WebsiteConfiguration>",
            "DeleteObjects" => "<Delete><Object><Key>&x;</Key></Object></Delete>",
            _ => "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&x;</ETag></Part></CompleteMultipartUpload>",
        };
        return shape switch
        {
            "empty" => "",
            "not XML" => "this is not XML",
            "unclosed" => "<Unclosed><Element>",
            "wrong root" => "<WrongRoot/>",
            "mismatched tags" => "<A></B>",
            "billion laughs" => billionLaughs + withEntity,
            "external entity" => """<!DOCTYPE doc [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>""" + withEntity,
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
        };
    }

    private static async Task<string> StartUploadAsync(TestOrigin origin)
    {
        using var s3 = origin.Client();
        return (await s3.InitiateMultipartUploadAsync("site", "upload.bin")).UploadId;
    }

    private static RawRequest DocumentRequest(TestOrigin origin, string operation, string uploadId, byte[] body) => operation switch
    {
        "PutBucketWebsite" => origin.Request("PUT", "/site?website").WithBody(body),
        "DeleteObjects" => origin.Request("POST", "/site?delete").WithBody(body).Header("Content-MD5", Convert.ToBase64String(MD5.HashData(body))),
        "CompleteMultipartUpload" => origin.Request("POST", "/site/upload.bin?uploadId=" + uploadId).WithBody(body),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
    };

    /// <summary>The object, the website settings and the multipart upload are as set up, and the origin still serves.</summary>
    private static async Task AssertUnchangedAsync(TestOrigin origin, string uploadId)
    {
        await origin.AssertObjectAsync("doc.bin", Original);
        using var s3 = origin.Client();
        var website = (await s3.GetBucketWebsiteAsync("site")).WebsiteConfiguration;
        Assert.Equal("index.html", website.IndexDocumentSuffix);
        Assert.Equal("404.html", website.ErrorDocument);
        var uploads = (await s3.ListMultipartUploadsAsync("site")).MultipartUploads ?? [];
        Assert.Equal([uploadId], uploads.Select(u => u.UploadId));
        await origin.AssertObjectAsync("upload.bin", null);
        await origin.AssertNoTempFilesAsync();
        await origin.AssertStillServesAsync();
    }

    /// <summary>The bytes of <see cref="Original"/> that "bytes FIRST-LAST/TOTAL" names.</summary>
    private static byte[] ExpectedPart(string contentRange)
    {
        var parts = contentRange["bytes ".Length..].Split('-', '/').Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return Original[parts[0]..(parts[1] + 1)];
    }
}

using System.Text.Json;
using Tandem.Origin.Auth;

namespace Tandem.Tests.Origin.Auth;

/// <summary>
/// Requests signed by botocore 1.43 (the AWS CLI's and boto3's signer), captured as they go on
/// the wire: keys with spaces, '+', '&amp;', quotes, é and '%', an encoded slash, list queries,
/// bare and repeated parameters, and presigned URLs. Secret has a '+', time 2025-03-14T15:09:26Z.
/// </summary>
public class BotocoreVectorTests
{
    private const string Json = """
        [
        {"name": "put-special-key", "method": "PUT", "path": "/dir/a%20b%2Bc%26d%3De%27%22%C3%A9%25~%28x%29%2A%21.txt", "query": "", "headers": [["Content-Type", "text/plain"], ["x-amz-meta-note", "  two   spaces  "], ["X-Amz-Date", "20250314T150926Z"], ["X-Amz-Content-SHA256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"], ["Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250314/eu-west-1/s3/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-note, Signature=30a61fae7dd778428baf9f9b407c35e72c1a29fb6f8373112d1852c085bf127e"], ["Host", "bucket.s3.eu-west-1.amazonaws.com"]]},
        {"name": "get-encoded-slash", "method": "GET", "path": "/a%2Fb/c", "query": "", "headers": [["X-Amz-Date", "20250314T150926Z"], ["X-Amz-Content-SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"], ["Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250314/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0732fbb65a3d42a2fab7dae12f986b1cff672807984896d29482d9d8e40ed86d"], ["Host", "bucket.s3.eu-west-1.amazonaws.com"]]},
        {"name": "list-v2", "method": "GET", "path": "/", "query": "list-type=2&prefix=a%20b%2Bc%2F%C3%A9&delimiter=%2F&encoding-type=url&max-keys=5", "headers": [["X-Amz-Date", "20250314T150926Z"], ["X-Amz-Content-SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"], ["Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250314/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=d888a35fdf78d2be8f528aeb7e1c76b58a52fa935c0810824e86cdc0bdbb965f"], ["Host", "bucket.s3.eu-west-1.amazonaws.com"]]},
        {"name": "bare-and-repeated", "method": "GET", "path": "/", "query": "acl&b=2&a=2&a=1&A=3&k-x=1&k.y=2&k0=3&k=0", "headers": [["X-Amz-Date", "20250314T150926Z"], ["X-Amz-Content-SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"], ["Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250314/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=94856ec600f9b3f0760186a2d63b9b6a843e3cd754a9bb4fa051941df09a268c"], ["Host", "bucket.s3.eu-west-1.amazonaws.com"]]},
        {"name": "delete-objects", "method": "POST", "path": "/", "query": "delete", "headers": [["Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="], ["Content-Type", "application/xml"], ["X-Amz-Date", "20250314T150926Z"], ["X-Amz-Content-SHA256", "e2000f6b1fc1db795626ddaf9c13324157e9f56cb7820b40d7c3253a08ee5b91"], ["Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250314/eu-west-1/s3/aws4_request, SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date, Signature=7d4f64da8dc393f3d4b689c9810ea6f27ce13bf030febe773d61698de539e01b"], ["Host", "bucket.s3.eu-west-1.amazonaws.com"]]},
        {"name": "us-east-1-head", "method": "HEAD", "path": "/%C3%BC/%E4%B8%AD%20%E6%96%87", "query": "", "headers": [["X-Amz-Date", "20250314T150926Z"], ["X-Amz-Content-SHA256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"], ["Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250314/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=9e8712ecf13214a15e96a49773d7a72b31ba2250e96dda26b2b72a4ab632ff95"], ["Host", "bucket.s3.eu-west-1.amazonaws.com"]]},
        {"name": "presign-get-special", "method": "GET", "path": "/dir/a%20b%2Bc%26d%3De%27%22%C3%A9%25~%28x%29%2A%21.txt", "query": "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20250314%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20250314T150926Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=53217443944411072fa6544c3ac523754f14bb4a5a2c8173002b22efb1930b24", "headers": [["Host", "bucket.s3.eu-west-1.amazonaws.com"]]},
        {"name": "presign-put-query", "method": "PUT", "path": "/x%20y.bin", "query": "x-id=PutObject&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20250314%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20250314T150926Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=4414fd4feea7120a1523b24da9f5117cfbbff5b77cef13072d3a4d7cdd555958", "headers": [["Host", "bucket.s3.eu-west-1.amazonaws.com"]]},
        {"name": "presign-get-response-override", "method": "GET", "path": "/k", "query": "response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20250314%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20250314T150926Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=15c6e1bdb8bea646992758ff78975eec5cb1e24b463c7c0f4cd34f0f1a359cac", "headers": [["Host", "bucket.s3.eu-west-1.amazonaws.com"]]},
        ]
        """;

    private static readonly StaticCredentialLookup Lookup = new([("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")]);
    private static readonly DateTimeOffset Time = new(2025, 3, 14, 15, 9, 26, TimeSpan.Zero);

    public static TheoryData<string> Names() => new(Vectors().Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Authenticate_BotocoreSignedRequest_Accepted(string name)
    {
        var context = SigV4Verifier.Authenticate(Vectors()[name], Lookup, Time.AddMinutes(1));

        Assert.NotNull(context);
        Assert.Equal("AKIDEXAMPLE", context.AccessKeyId);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Authenticate_BotocoreRequestWithOneByteChanged_SignatureDoesNotMatch(string name)
    {
        var request = Vectors()[name];
        var tampered = request.RawQuery.Contains("X-Amz-Signature", StringComparison.Ordinal)
            ? request with { RawPath = request.RawPath + "x" }
            : request with { Method = request.Method + "X" };

        Assert.Equal("SignatureDoesNotMatch", Assert.Throws<Tandem.Origin.S3Exception>(() => SigV4Verifier.Authenticate(tampered, Lookup, Time)).Code);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Sign_SameRequestAsBotocore_SameSignature(string name)
    {
        var request = Vectors()[name];
        var credentials = new Tandem.Core.Configuration.S3Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        var region = name.Contains("us-east-1", StringComparison.Ordinal) ? "us-east-1" : "eu-west-1";
        if (request.RawQuery.Contains("X-Amz-Signature", StringComparison.Ordinal))
        {
            var query = string.Join('&', request.RawQuery.Split('&').Where(p => !p.StartsWith("X-Amz-", StringComparison.Ordinal)));
            var expires = TimeSpan.FromSeconds(long.Parse(request.RawQuery.Split('&').Single(p => p.StartsWith("X-Amz-Expires=", StringComparison.Ordinal))[14..], System.Globalization.CultureInfo.InvariantCulture));
            var presigned = SigV4Signer.Presign(request with { RawQuery = query }, credentials, region, Time, expires);
            Assert.Equal(request.RawQuery, presigned.Request.RawQuery);
            return;
        }

        var unsigned = request with { Headers = request.Headers.Where(h => h.Key is not ("Authorization" or "X-Amz-Date" or "X-Amz-Content-SHA256")).ToList() };
        var signed = SigV4Signer.Sign(unsigned, credentials, region, Time, request.GetHeader("x-amz-content-sha256")!);
        Assert.Equal(request.GetHeader("Authorization"), signed.Request.GetHeader("Authorization"));
    }

    private static Dictionary<string, SignedRequest> Vectors()
    {
        var vectors = new Dictionary<string, SignedRequest>();
        foreach (var e in JsonDocument.Parse(Json, new JsonDocumentOptions { AllowTrailingCommas = true }).RootElement.EnumerateArray())
        {
            var headers = e.GetProperty("headers").EnumerateArray()
                .Select(h => new KeyValuePair<string, string>(h[0].GetString()!, h[1].GetString()!)).ToList();
            vectors[e.GetProperty("name").GetString()!] = new SignedRequest(
                e.GetProperty("method").GetString()!, e.GetProperty("path").GetString()!, e.GetProperty("query").GetString()!, headers);
        }

        return vectors;
    }
}

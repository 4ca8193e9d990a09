using Tandem.Origin.Auth;
using static Tandem.Tests.Origin.Auth.AwsExamples;

namespace Tandem.Tests.Origin.Auth;

public class SigV4VerifierTests
{
    [Fact]
    public void Authenticate_AwsGetObjectExample_ReturnsContext()
    {
        var context = SigV4Verifier.Authenticate(GetObject(), Lookup, Time);

        Assert.NotNull(context);
        Assert.Equal(AccessKeyId, context.AccessKeyId);
        Assert.Equal("us-east-1", context.Region);
        Assert.Equal(Scope, context.Scope);
        Assert.Equal(AmzDate, context.AmzDate);
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", context.SeedSignature);
        Assert.Equal(PayloadHashes.Empty, context.PayloadHash);
        Assert.Equal(SigV4Signer.DeriveSigningKey(Secret, "20130524", "us-east-1"), context.SigningKey);
        Assert.False(context.IsPresigned);
    }

    [Fact]
    public void Authenticate_AwsPutObjectExampleWithDateHeaderAndEncodedKey_ReturnsContext()
    {
        Assert.NotNull(SigV4Verifier.Authenticate(PutObject(), Lookup, Time));
    }

    [Theory]
    [InlineData("lifecycle", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")]
    [InlineData("max-keys=2&prefix=J", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")]
    [InlineData("prefix=J&max-keys=2", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")]
    public void Authenticate_AwsBucketExamples_ReturnsContext(string query, string signature)
    {
        Assert.NotNull(SigV4Verifier.Authenticate(GetBucket(query, signature), Lookup, Time));
    }

    [Fact]
    public void Authenticate_AwsStreamingExamples_SeedSignaturesMatch()
    {
        Assert.Equal("4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", SigV4Verifier.Authenticate(StreamingPut(), Lookup, Time)!.SeedSignature);
        var trailer = SigV4Verifier.Authenticate(StreamingTrailerPut(), Lookup, Time)!;
        Assert.Equal("106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e", trailer.SeedSignature);
        Assert.Equal(PayloadHashes.StreamingSignedTrailer, trailer.PayloadHash);
    }

    [Fact]
    public void Authenticate_AwsPresignedExample_ReturnsUnsignedPayloadContext()
    {
        var context = SigV4Verifier.Authenticate(PresignedGet(), Lookup, Time.AddHours(23));

        Assert.NotNull(context);
        Assert.True(context.IsPresigned);
        Assert.Equal(PayloadHashes.Unsigned, context.PayloadHash);
        Assert.Equal("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", context.SeedSignature);
    }

    [Fact]
    public void Authenticate_NoAuthorizationAndNoAlgorithm_ReturnsNull()
    {
        var anonymous = Request("GET", "/test.txt", "versionId=1", ("Host", Host));
        Assert.Null(SigV4Verifier.Authenticate(anonymous, Lookup, Time));
        Assert.Null(SigV4Verifier.Authenticate(anonymous.With("Authorization", ""), Lookup, Time));
    }

    [Fact]
    public void Authenticate_SignatureInUpperCase_Accepted()
    {
        var upper = GetObject("F0E8BDB87C964420E857BD35B5D6ED310BD44F0170ABA48DD91039C6036BDB41");
        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", SigV4Verifier.Authenticate(upper, Lookup, Time)!.SeedSignature);
    }

    [Fact]
    public void Authenticate_HeaderNamesInAnyCaseAndExtraSpaces_Accepted()
    {
        var request = GetObject();
        var auth = request.GetHeader("authorization")!.Replace(",", ",  ");
        var shuffled = request with
        {
            Headers = request.Headers.Reverse().Select(h => new KeyValuePair<string, string>(h.Key.ToUpperInvariant(), h.Key == "Authorization" ? auth : h.Value)).ToList(),
        };
        Assert.NotNull(SigV4Verifier.Authenticate(shuffled, Lookup, Time));
    }

    [Fact]
    public void Authenticate_WrongSecret_SignatureDoesNotMatchWithCanonicalRequest()
    {
        var error = Fails(GetObject(), lookup: new StaticCredentialLookup([(AccessKeyId, "not the secret")]));

        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.Equal(403, error.Status);
        Assert.Equal(AccessKeyId, error.Details!["AWSAccessKeyId"]);
        Assert.Equal(
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:" + PayloadHashes.Empty +
            "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" + PayloadHashes.Empty,
            error.Details["CanonicalRequest"]);
        Assert.StartsWith("AWS4-HMAC-SHA256\n20130524T000000Z\n" + Scope + "\n", error.Details["StringToSign"]);
    }

    [Fact]
    public void Authenticate_UnknownKey_InvalidAccessKeyId()
    {
        var request = GetObject().With("Authorization", GetObject().GetHeader("Authorization")!.Replace(AccessKeyId, "AKIAUNKNOWN"));
        var error = Fails(request);

        Assert.Equal("InvalidAccessKeyId", error.Code);
        Assert.Equal(403, error.Status);
        Assert.Equal("AKIAUNKNOWN", error.Details!["AWSAccessKeyId"]);
    }

    [Theory]
    [InlineData("Range", "bytes=0-10")]
    [InlineData("Host", "otherbucket.s3.amazonaws.com")]
    [InlineData("x-amz-content-sha256", "UNSIGNED-PAYLOAD")]
    public void Authenticate_TamperedSignedHeader_SignatureDoesNotMatch(string name, string value)
    {
        Assert.Equal("SignatureDoesNotMatch", Fails(GetObject().With(name, value)).Code);
    }

    [Fact]
    public void Authenticate_TamperedPathOrMethod_SignatureDoesNotMatch()
    {
        Assert.Equal("SignatureDoesNotMatch", Fails(GetObject() with { RawPath = "/test.txx" }).Code);
        Assert.Equal("SignatureDoesNotMatch", Fails(GetObject() with { Method = "HEAD" }).Code);
        Assert.Equal("SignatureDoesNotMatch", Fails(GetObject() with { RawQuery = "x=1" }).Code);
    }

    [Fact]
    public void Authenticate_UnsignedHeaderAdded_StillAccepted()
    {
        Assert.NotNull(SigV4Verifier.Authenticate(GetObject().With("User-Agent", "curl"), Lookup, Time));
    }

    [Fact]
    public void Authenticate_UnsignedAmzHeader_AccessDeniedNamingIt()
    {
        var error = Fails(GetObject().With("x-amz-meta-color", "red"));

        Assert.Equal("AccessDenied", error.Code);
        Assert.Equal("x-amz-meta-color", error.Details!["HeadersNotSigned"]);
    }

    [Theory]
    [InlineData(-15 * 60, false)]
    [InlineData(15 * 60, false)]
    [InlineData(-15 * 60 - 1, true)]
    [InlineData(15 * 60 + 1, true)]
    public void Authenticate_ClockSkew_TooSkewedBeyondFifteenMinutes(int seconds, bool skewed)
    {
        var now = Time.AddSeconds(seconds);
        if (!skewed)
        {
            Assert.NotNull(SigV4Verifier.Authenticate(GetObject(), Lookup, now));
            return;
        }

        var error = Fails(GetObject(), now);
        Assert.Equal("RequestTimeTooSkewed", error.Code);
        Assert.Equal(403, error.Status);
        Assert.Equal(AmzDate, error.Details!["RequestTime"]);
        Assert.Equal("900000", error.Details["MaxAllowedSkewMilliseconds"]);
    }

    [Fact]
    public void Authenticate_SkewedAndBadSignature_SignatureCheckedFirst()
    {
        Assert.Equal("SignatureDoesNotMatch", Fails(GetObject(new string('0', 64)), Time.AddHours(1)).Code);
    }

    [Fact]
    public void Authenticate_WrongRegion_MalformedWithExpectedRegion()
    {
        var error = Fails(GetObject(), region: "eu-west-1");

        Assert.Equal("AuthorizationHeaderMalformed", error.Code);
        Assert.Equal(400, error.Status);
        Assert.Equal("eu-west-1", error.Details!["Region"]);
        Assert.Contains("'us-east-1' is wrong; expecting 'eu-west-1'", error.Message);
    }

    [Fact]
    public void Authenticate_RightRegion_Accepted()
    {
        Assert.NotNull(SigV4Verifier.Authenticate(GetObject(), Lookup, Time, "us-east-1"));
    }

    [Fact]
    public void Authenticate_PresignedWrongRegion_QueryErrorWithExpectedRegion()
    {
        var error = Fails(PresignedGet(), region: "eu-central-1");

        Assert.Equal("AuthorizationQueryParametersError", error.Code);
        Assert.Equal(400, error.Status);
        Assert.Equal("eu-central-1", error.Details!["Region"]);
    }

    [Theory]
    [InlineData(86400, false)]
    [InlineData(86401, true)]
    public void Authenticate_PresignedAtExpiry_ExpiredOnlyAfterTheEnd(int secondsLater, bool expired)
    {
        var now = Time.AddSeconds(secondsLater);
        if (!expired)
        {
            Assert.NotNull(SigV4Verifier.Authenticate(PresignedGet(), Lookup, now));
            return;
        }

        var error = Fails(PresignedGet(), now);
        Assert.Equal("AccessDenied", error.Code);
        Assert.Equal("Request has expired", error.Message);
        Assert.Equal("86400", error.Details!["X-Amz-Expires"]);
        Assert.Equal("2013-05-25T00:00:00Z", error.Details["Expires"]);
    }

    [Fact]
    public void Authenticate_PresignedFromTheFuture_NotYetValid()
    {
        var error = Fails(PresignedGet(), Time.AddMinutes(-16));
        Assert.Equal("AccessDenied", error.Code);
        Assert.Equal("Request is not yet valid", error.Message);
    }

    [Fact]
    public void Authenticate_PresignedTamperedParameter_SignatureDoesNotMatch()
    {
        Assert.Equal("SignatureDoesNotMatch", Fails(PresignedGet(PresignedQuery.Replace("X-Amz-Expires=86400", "X-Amz-Expires=86401"))).Code);
        Assert.Equal("SignatureDoesNotMatch", Fails(PresignedGet(PresignedQuery + "&versionId=1")).Code);
        Assert.Equal("SignatureDoesNotMatch", Fails(PresignedGet() with { RawPath = "/other.txt" }).Code);
    }

    [Fact]
    public void Authenticate_PresignedParameterNamesInOtherCase_Accepted()
    {
        var query = PresignedQuery.Replace("X-Amz-Signature", "x-amz-signature").Replace("X-Amz-Expires", "X-AMZ-EXPIRES");
        // The canonical query keeps the names as sent, so the client signed the lower-cased ones: re-sign.
        var unsigned = string.Join('&', query.Split('&').Where(p => !p.StartsWith("x-amz-signature", StringComparison.Ordinal)));
        var signature = Sign("GET\n/test.txt\n" + SigV4.CanonicalQuery(SigV4.SplitQuery(unsigned), true) + "\nhost:" + Host + "\n\nhost\nUNSIGNED-PAYLOAD");
        var request = PresignedGet(unsigned + "&x-amz-signature=" + signature);

        Assert.NotNull(SigV4Verifier.Authenticate(request, Lookup, Time));
    }

    [Theory]
    [InlineData("X-Amz-Expires=86400", "X-Amz-Expires=604801", "less than a week")]
    [InlineData("X-Amz-Expires=86400", "X-Amz-Expires=-1", "non-negative")]
    [InlineData("X-Amz-Expires=86400", "X-Amz-Expires=1h", "should be a number")]
    [InlineData("X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24", "ISO8601")]
    [InlineData("&X-Amz-SignedHeaders=host", "", "requires the X-Amz-Algorithm")]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1", "only supports")]
    [InlineData("%2Fs3%2F", "%2Fec2%2F", "incorrect service \"ec2\"")]
    public void Authenticate_PresignedMalformedParameter_QueryParametersError(string from, string to, string message)
    {
        var error = Fails(PresignedGet(PresignedQuery.Replace(from, to)));

        Assert.Equal("AuthorizationQueryParametersError", error.Code);
        Assert.Equal(400, error.Status);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Authenticate_PresignedSigV4a_ClearInvalidRequest()
    {
        var error = Fails(PresignedGet(PresignedQuery.Replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")));
        Assert.Equal("InvalidRequest", error.Code);
        Assert.Contains("SigV4a", error.Message);
    }

    [Fact]
    public void Authenticate_SigV2Header_InvalidRequestSayingOnlySigV4()
    {
        var error = Fails(Request("GET", "/test.txt", "", ("Host", Host), ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("Authorization", "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=")));

        Assert.Equal("InvalidRequest", error.Code);
        Assert.Equal(400, error.Status);
        Assert.Contains("Please use AWS4-HMAC-SHA256", error.Message);
        Assert.Contains("Signature Version 4", error.Message);
    }

    [Fact]
    public void Authenticate_SigV2Query_InvalidRequest()
    {
        var error = Fails(Request("GET", "/test.txt", "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1141889120&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D", ("Host", Host)));
        Assert.Equal("InvalidRequest", error.Code);
    }

    [Fact]
    public void Authenticate_SigV4aHeader_ClearInvalidRequest()
    {
        var error = Fails(GetObject().With("Authorization", "AWS4-ECDSA-P256-SHA256 Credential=AKID/20130524/s3/aws4_request, SignedHeaders=host, Signature=00"));
        Assert.Equal("InvalidRequest", error.Code);
        Assert.Contains("SigV4a", error.Message);
    }

    [Fact]
    public void Authenticate_BearerScheme_InvalidArgument()
    {
        var error = Fails(GetObject().With("Authorization", "Bearer token"));
        Assert.Equal("InvalidArgument", error.Code);
        Assert.Equal("Unsupported Authorization Type", error.Message);
    }

    [Fact]
    public void Authenticate_HeaderAndPresignedTogether_InvalidArgument()
    {
        var error = Fails(GetObject() with { RawQuery = PresignedQuery });
        Assert.Equal("InvalidArgument", error.Code);
        Assert.StartsWith("Only one auth mechanism allowed", error.Message);
    }

    [Theory]
    [InlineData("Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host", "requires three components")]
    [InlineData("Credential=AKIAIOSFODNN7EXAMPLE/20130524/s3/aws4_request,SignedHeaders=host,Signature=00", "Credential is mal-formed")]
    [InlineData("Credential=AKIAIOSFODNN7EXAMPLE/2013052/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=00", "incorrect date format")]
    [InlineData("Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/ec2/aws4_request,SignedHeaders=host,Signature=00", "incorrect service")]
    [InlineData("Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_reques,SignedHeaders=host,Signature=00", "incorrect terminal")]
    [InlineData("Credential=AKIAIOSFODNN7EXAMPLE/20130523/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=00", "Invalid credential date")]
    public void Authenticate_MalformedAuthorization_AuthorizationHeaderMalformed(string parameters, string message)
    {
        var error = Fails(GetObject().With("Authorization", "AWS4-HMAC-SHA256 " + parameters));

        Assert.Equal("AuthorizationHeaderMalformed", error.Code);
        Assert.Equal(400, error.Status);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Authenticate_NoPayloadHashHeader_InvalidRequest()
    {
        var error = Fails(GetObject().With("x-amz-content-sha256", null));
        Assert.Equal("InvalidRequest", error.Code);
        Assert.Contains("x-amz-content-sha256", error.Message);
    }

    [Fact]
    public void Authenticate_PayloadHashNotAHash_InvalidArgument()
    {
        var error = Fails(GetObject().With("x-amz-content-sha256", PayloadHashes.Empty[1..]));
        Assert.Equal("InvalidArgument", error.Code);
    }

    [Theory]
    [InlineData("2013-05-24T00:00:00Z")]
    [InlineData(null)]
    public void Authenticate_NoValidDate_AccessDenied(string? amzDate)
    {
        var error = Fails(GetObject().With("x-amz-date", amzDate));
        Assert.Equal("AccessDenied", error.Code);
        Assert.Contains("Date or x-amz-date", error.Message);
    }

    [Fact]
    public void Authenticate_DateHeaderWithoutAmzDate_SignsTheIsoFormOfIt()
    {
        const string Date = "Fri, 24 May 2013 00:00:00 GMT";
        var signature = Sign($"GET\n/\n\ndate:{Date}\nhost:{Host}\nx-amz-content-sha256:{PayloadHashes.Empty}\n\ndate;host;x-amz-content-sha256\n{PayloadHashes.Empty}");
        var request = Request("GET", "/", "", ("Host", Host), ("Date", Date), ("x-amz-content-sha256", PayloadHashes.Empty),
            ("Authorization", Authorization("date;host;x-amz-content-sha256", signature)));

        Assert.Equal(AmzDate, SigV4Verifier.Authenticate(request, Lookup, Time)!.AmzDate);
        Assert.Equal("RequestTimeTooSkewed", Fails(request, Time.AddDays(1)).Code);
    }

    [Fact]
    public void Authenticate_HostNotSigned_AccessDenied()
    {
        var signature = Sign("GET\n/\n\nx-amz-content-sha256:" + PayloadHashes.Empty + "\nx-amz-date:" + AmzDate + "\n\nx-amz-content-sha256;x-amz-date\n" + PayloadHashes.Empty);
        var request = Request("GET", "/", "", ("Host", Host), ("x-amz-content-sha256", PayloadHashes.Empty), ("x-amz-date", AmzDate),
            ("Authorization", Authorization("x-amz-content-sha256;x-amz-date", signature)));

        var error = Fails(request);
        Assert.Equal("AccessDenied", error.Code);
        Assert.Equal("host", error.Details!["HeadersNotSigned"]);
    }

    /// <summary>Signs a canonical request with the example key and time, independently of the signer.</summary>
    internal static string Sign(string canonicalRequest)
    {
        var key = SigV4Signer.DeriveSigningKey(Secret, "20130524", "us-east-1");
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonicalRequest)));
        var stringToSign = $"AWS4-HMAC-SHA256\n{AmzDate}\n{Scope}\n{hash}";
        return Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes(stringToSign)));
    }
}

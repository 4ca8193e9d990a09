using System.Text;
using Tandem.Origin.Auth;
using Tandem.Origin.Body;
using Tandem.Tests.Origin.Auth;
using static Tandem.Tests.Origin.Body.BodyTestKit;

namespace Tandem.Tests.Origin.Body;

/// <summary>
/// Bodies exactly as published by AWS or as written by real clients: the AWS documentation's
/// chunked examples, the AWS SDK for .NET 4.1 and botocore 1.43, captured on the wire.
/// </summary>
public class ClientVectorTests
{
    private static readonly byte[] A = Enumerable.Repeat((byte)'a', 66560).ToArray();

    private static byte[] AwsExampleBody(string[] signatures, string? trailer)
    {
        var text = $"10000;chunk-signature={signatures[0]}\r\n{Encoding.ASCII.GetString(A, 0, 65536)}\r\n" +
                   $"400;chunk-signature={signatures[1]}\r\n{Encoding.ASCII.GetString(A, 0, 1024)}\r\n" +
                   $"0;chunk-signature={signatures[2]}\r\n" + (trailer ?? "") + "\r\n";
        return Encoding.ASCII.GetBytes(text);
    }

    [Fact]
    public void Decode_AwsChunkedExample_Accepted()
    {
        var request = AwsExamples.StreamingPut();
        var context = SigV4Verifier.Authenticate(request, AwsExamples.Lookup, AwsExamples.Time)!;
        var body = AwsExampleBody(
            ["ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648", "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497", "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"], null);
        Assert.Equal(66824, body.Length);

        var (data, checksums) = Decode(new TrickleStream(body, seed: 3, maxRead: 999), request.GetHeader, context);

        Assert.Equal(A, data);
        Assert.Empty(checksums);
        Assert.Null(RequestBody.StoredContentEncoding(request.GetHeader("content-encoding")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decode_AwsChunkedTrailerExample_AcceptedInBothLayouts(bool extraCrlf)
    {
        var request = AwsExamples.StreamingTrailerPut();
        var context = SigV4Verifier.Authenticate(request, AwsExamples.Lookup, AwsExamples.Time)!;
        var trailer = (extraCrlf ? "\r\n" : "") + "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n";
        var body = AwsExampleBody(
            ["b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2", "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7", "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"], trailer);

        var (data, checksums) = Decode(new TrickleStream(body, seed: 4, maxRead: 777), request.GetHeader, context);

        Assert.Equal(A, data);
        Assert.Equal("sOO8/Q==", checksums["CRC32C"]);
    }

    [Fact]
    public void Decode_AwsChunkedTrailerExampleWithAnotherChecksum_SignatureDoesNotMatch()
    {
        var request = AwsExamples.StreamingTrailerPut();
        var context = SigV4Verifier.Authenticate(request, AwsExamples.Lookup, AwsExamples.Time)!;
        var body = AwsExampleBody(
            ["b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2", "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7", "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"],
            "x-amz-checksum-crc32c:sOO8/A==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n");

        Assert.Equal("SignatureDoesNotMatch", DecodeFails(body, request.GetHeader, context).Code);
    }

    // AWSSDK.S3 4.1.0 PutObject of DotNetData to key "dir/a b+c&d=e'\"é%~(x)*!.txt" on
    // http://127.0.0.1:9000, path style, at 2026-11-26T02:35:17Z, key AKIDEXAMPLE.
    private static readonly byte[] DotNetData = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 40).Select(i => $"{i:D3} tandem .NET SDK body\n")));
    private static readonly DateTimeOffset DotNetTime = new(2026, 11, 26, 2, 35, 17, TimeSpan.Zero);
    private static readonly StaticCredentialLookup DotNetLookup = new([("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")]);
    private const string DotNetPath = "/bucket/dir/a%20b%2Bc%26d%3De%27%22%C3%A9%25~%28x%29%2A%21.txt";
    private const string DotNetSignedTrailerHeaders = "content-encoding;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-sdk-checksum-algorithm;x-amz-trailer";

    public static TheoryData<string, string, string?, string, string, string, string, string?> DotNetRequests() => new()
    {
        // name, payload, checksum algorithm, signed headers, signature, body before the data, body after it, stored checksum
        {
            "default over HTTP: signed chunks, CRC32 trailer", PayloadHashes.StreamingSignedTrailer, "CRC32", DotNetSignedTrailerHeaders,
            "9ef7286a7a0c7cb13ee812e22f80759fba80ef770cffef27e3fb42594a72c7d9",
            "3E8;chunk-signature=ddc7ef60c2932ad53dca4a99be55eb6efacb3a96e42685a665b7ed64464118c7\r\n",
            "\r\n0;chunk-signature=01e4f1628548bb2b05a14a624759cc1638c1a2d3a6f55246a99c1938320c0792\r\nx-amz-checksum-crc32:A6l6cQ==\r\nx-amz-trailer-signature:4d5d4a487f899eb3fb0d8f4de16dbffaac85c9273bd515a7a3fcd4f8af76bac8\r\n\r\n",
            "A6l6cQ=="
        },
        {
            "CRC64NVME over HTTP", PayloadHashes.StreamingSignedTrailer, "CRC64NVME", DotNetSignedTrailerHeaders,
            "c5186fe1750508ddf26e36b7ef2baffec7e0160ccfdd517f2cbac6e1ae939781",
            "3E8;chunk-signature=7771edcac476e643633fc820ce073eee13138fb2be9ed285f19332ed39bddb48\r\n",
            "\r\n0;chunk-signature=75d9956dd4e6c3123b8f0f01899488f3ca97a9fd816d4187876f0c35a2178808\r\nx-amz-checksum-crc64nvme:3VuT82OVXt8=\r\nx-amz-trailer-signature:c938d4f543614ecdaeaebac8f2cfea721ee0e100064806cc8d2734b5767ce5ef\r\n\r\n",
            "3VuT82OVXt8="
        },
        {
            "DisablePayloadSigning over HTTPS: unsigned chunks, CRC32 trailer", PayloadHashes.StreamingUnsignedTrailer, "CRC32", DotNetSignedTrailerHeaders,
            "ef935410a02b61a5efbfb0180b56fe4a29820a69bc0b4137d7d1b082769d09e1",
            "3E8\r\n",
            "\r\n0\r\nx-amz-checksum-crc32:A6l6cQ==\r\n\r\n",
            "A6l6cQ=="
        },
        {
            "WHEN_REQUIRED: signed chunks, no trailer", PayloadHashes.StreamingSigned, null,
            "content-encoding;content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length",
            "f53ffd783ef6089b5ad099fc271ed822d67d2b6970a1c13e585882fe5e51dd6d",
            "3E8;chunk-signature=fa14a6b4f45802de0bb6ad4b28e2e1b6cb9a34c8a38d0e0dfeb8c43c0ed4a509\r\n",
            "\r\n0;chunk-signature=bace6eacc2680bceb2b5d4f1ab376f4cc9d1dbebb0e1e8032813308378c2522e\r\n\r\n",
            null
        },
    };

    [Theory]
    [MemberData(nameof(DotNetRequests))]
    public void Decode_DotNetSdkPutObject_Accepted(string name, string payload, string? algorithm, string signedHeaders, string signature, string before, string after, string? checksum)
    {
        var body = Encoding.ASCII.GetBytes(before).Concat(DotNetData).Concat(Encoding.ASCII.GetBytes(after)).ToArray();
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Host", "127.0.0.1:9000"),
            new("Expect", "100-continue"),
            new("X-Amz-Date", "20261126T023517Z"),
            new("X-Amz-Decoded-Content-Length", "1000"),
            new("X-Amz-Content-SHA256", payload),
            new("Authorization", $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/s3/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}"),
            new("User-Agent", "aws-sdk-dotnet-coreclr/4.1.0.0"),
            new("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("Content-Type", "text/plain"),
            new("Content-Encoding", "aws-chunked"),
        };
        if (algorithm is not null)
        {
            headers.Add(new("x-amz-sdk-checksum-algorithm", algorithm));
            headers.Add(new("X-Amz-Trailer", "x-amz-checksum-" + algorithm.ToLowerInvariant()));
        }

        var request = new SignedRequest("PUT", DotNetPath, "", headers);
        var context = SigV4Verifier.Authenticate(request, DotNetLookup, DotNetTime)!;

        var (data, checksums) = Decode(new TrickleStream(body, seed: 8, maxRead: 50), request.GetHeader, context, readSize: 333);

        Assert.True(data.AsSpan().SequenceEqual(DotNetData), name);
        Assert.Equal(checksum, algorithm is null ? null : checksums[algorithm]);
    }

    // botocore 1.43 AwsChunkedWrapper (chunk_size=5000) over BotocoreData, as the CLI sends it
    // over HTTPS: lower-case hex sizes, "0\r\n", the checksum trailer, "\r\n"; no signatures.
    private static readonly byte[] BotocoreData = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 400).Select(i => $"line {i:D5} of a botocore upload\n")));

    [Theory]
    [InlineData("x-amz-checksum-crc32", "oqYC6w==", 12859)]
    [InlineData("x-amz-checksum-sha256", "nDRcqR+DsByr1p8p9zIzZL8dxmKPuCoATqNm1KfPxZU=", 12896)]
    public void Decode_BotocoreUnsignedTrailer_Accepted(string trailer, string value, int botocoreLength)
    {
        var body = Unsigned(BotocoreData, 5000, trailer: (trailer, value));
        Assert.Equal(botocoreLength, body.Length);
        Assert.StartsWith("1388\r\nline 00000", Encoding.ASCII.GetString(body), StringComparison.Ordinal);

        var headers = StreamingHeaders(PayloadHashes.StreamingUnsignedTrailer, BotocoreData.Length, trailer, ("Transfer-Encoding", "chunked"));
        var (data, checksums) = Decode(new TrickleStream(body, seed: 6, maxRead: 4096), headers, null);

        Assert.Equal(BotocoreData, data);
        Assert.Equal(value, Assert.Single(checksums).Value);
    }
}

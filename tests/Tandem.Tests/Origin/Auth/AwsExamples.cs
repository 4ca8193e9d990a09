using Tandem.Core.Configuration;
using Tandem.Origin;
using Tandem.Origin.Auth;

namespace Tandem.Tests.Origin.Auth;

/// <summary>The key, time and requests of the examples in AWS's S3 SigV4 documentation.</summary>
internal static class AwsExamples
{
    public const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    public const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public const string AmzDate = "20130524T000000Z";
    public const string Scope = "20130524/us-east-1/s3/aws4_request";
    public const string Host = "examplebucket.s3.amazonaws.com";

    public static readonly DateTimeOffset Time = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    public static readonly S3Credentials Credentials = new(AccessKeyId, Secret);

    public static readonly StaticCredentialLookup Lookup = new(Credentials);

    public static SignedRequest Request(string method, string path, string query, params (string Name, string Value)[] headers) =>
        new(method, path, query, headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList());

    public static string Authorization(string signedHeaders, string signature) =>
        $"AWS4-HMAC-SHA256 Credential={AccessKeyId}/{Scope},SignedHeaders={signedHeaders},Signature={signature}";

    /// <summary>"GET Object" of the documentation: the first ten bytes of test.txt.</summary>
    public static SignedRequest GetObject(string signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41") =>
        Request("GET", "/test.txt", "",
            ("Host", Host),
            ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", PayloadHashes.Empty),
            ("x-amz-date", AmzDate),
            ("Authorization", Authorization("host;range;x-amz-content-sha256;x-amz-date", signature)));

    /// <summary>"PUT Object" of the documentation: the Date header and x-amz-date both signed, '$' encoded in the key.</summary>
    public static SignedRequest PutObject() =>
        Request("PUT", "/test%24file.text", "",
            ("Host", Host),
            ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("x-amz-date", AmzDate),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"),
            ("Authorization", Authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")));

    public static SignedRequest GetBucket(string query, string signature) =>
        Request("GET", "/", query,
            ("Host", Host),
            ("x-amz-content-sha256", PayloadHashes.Empty),
            ("x-amz-date", AmzDate),
            ("Authorization", Authorization("host;x-amz-content-sha256;x-amz-date", signature)));

    public const string PresignedQuery =
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

    /// <summary>The presigned GET of the documentation, valid for a day.</summary>
    public static SignedRequest PresignedGet(string query = PresignedQuery) => Request("GET", "/test.txt", query, ("Host", Host));

    /// <summary>The seed request of "PUT Object in chunks" (66560 bytes of 'a' in signed chunks).</summary>
    public static SignedRequest StreamingPut() =>
        Request("PUT", "/examplebucket/chunkObject.txt", "",
            ("Host", "s3.amazonaws.com"),
            ("x-amz-date", AmzDate),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", PayloadHashes.StreamingSigned),
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("Content-Length", "66824"),
            ("Authorization", Authorization(
                "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
                "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")));

    /// <summary>The seed request of "PUT Object in chunks with a trailing header" (CRC32C trailer).</summary>
    public static SignedRequest StreamingTrailerPut() =>
        Request("PUT", "/examplebucket/chunkObject.txt", "",
            ("Host", "s3.amazonaws.com"),
            ("x-amz-date", AmzDate),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", PayloadHashes.StreamingSignedTrailer),
            ("Content-Encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "66560"),
            ("x-amz-trailer", "x-amz-checksum-crc32c"),
            ("Authorization", Authorization(
                "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer",
                "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e")));

    /// <summary>Replaces (or with null removes) a header, keeping the others.</summary>
    public static SignedRequest With(this SignedRequest request, string name, string? value)
    {
        var headers = request.Headers.Where(h => !string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (value is not null)
        {
            headers.Add(new(name, value));
        }

        return request with { Headers = headers };
    }

    public static S3Exception Fails(SignedRequest request, DateTimeOffset? now = null, string? region = null, ICredentialLookup? lookup = null) =>
        Assert.Throws<S3Exception>(() => SigV4Verifier.Authenticate(request, lookup ?? Lookup, now ?? Time, region));
}

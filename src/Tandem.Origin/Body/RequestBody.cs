using System.Globalization;
using Tandem.Origin.Auth;

namespace Tandem.Origin.Body;

/// <summary>
/// Turns a raw request body into the object bytes, whatever way the client framed and
/// protected it: plain, or aws-chunked with signed or unsigned chunks and a trailing checksum.
/// </summary>
public static class RequestBody
{
    private const string AwsChunked = "aws-chunked";

    /// <summary>
    /// Chooses the decoding from x-amz-content-sha256 (and Content-Encoding) and checks the
    /// request's digest headers for form. Only the digests the request carries are computed.
    /// </summary>
    /// <param name="raw">The request body as received (after HTTP's own chunking is removed).</param>
    /// <param name="getHeader">The first value of a request header by case-insensitive name, or null.</param>
    /// <param name="auth">The request's authentication, or null for an anonymous request.</param>
    public static DecodedBody Open(Stream raw, Func<string, string?> getHeader, AuthContext? auth)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(getHeader);

        var payloadHash = getHeader("x-amz-content-sha256")?.Trim();
        var chunked = payloadHash is PayloadHashes.StreamingSigned or PayloadHashes.StreamingSignedTrailer or PayloadHashes.StreamingUnsignedTrailer;
        var trailerAllowed = payloadHash is PayloadHashes.StreamingSignedTrailer or PayloadHashes.StreamingUnsignedTrailer;
        var signedChunks = payloadHash is PayloadHashes.StreamingSigned or PayloadHashes.StreamingSignedTrailer;
        if (!chunked && payloadHash is not (null or PayloadHashes.Unsigned) && !PayloadHashes.IsHexSha256(payloadHash))
        {
            throw payloadHash.StartsWith("STREAMING-", StringComparison.Ordinal)
                ? S3Exception.InvalidRequest($"x-amz-content-sha256 {payloadHash} is not supported; use STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER), STREAMING-UNSIGNED-PAYLOAD-TRAILER, UNSIGNED-PAYLOAD or a hex SHA-256.")
                : S3Exception.InvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.");
        }

        if (!chunked && HasAwsChunked(getHeader("content-encoding")))
        {
            // Storing the framing as object data would corrupt the object silently.
            throw S3Exception.InvalidRequest("Content-Encoding aws-chunked needs x-amz-content-sha256 STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or STREAMING-UNSIGNED-PAYLOAD-TRAILER.");
        }

        if (signedChunks)
        {
            if (auth is null)
            {
                throw S3Exception.AccessDenied($"x-amz-content-sha256 {payloadHash} needs a request signed with the Authorization header; this request is anonymous.");
            }

            if (auth.PayloadHash != payloadHash)
            {
                throw S3Exception.AccessDenied($"x-amz-content-sha256 {payloadHash} needs a request signed with the Authorization header for that payload; this one signed {auth.PayloadHash}.");
            }
        }

        var expectedMd5 = ParseContentMd5(getHeader("content-md5"));
        var (checksum, headerValue, announcedTrailer) = ChecksumOf(getHeader, chunked, trailerAllowed);
        var declared = chunked
            ? ParseLength(getHeader("x-amz-decoded-content-length"), "x-amz-decoded-content-length")
            : ParseLength(getHeader("content-length"), "Content-Length");

        var hexSha256 = PayloadHashes.IsHexSha256(payloadHash) ? payloadHash : null;
        var hashes = new BodyHashes(md5: expectedMd5 is not null, sha256: hexSha256 is not null, checksum);
        DecodingStream stream = chunked
            ? new AwsChunkedStream(raw, hashes, declared, signedChunks ? auth : null, trailerAllowed, announcedTrailer)
            : new PlainBodyStream(raw, hashes, declared);
        return new DecodedBody(stream, hashes, declared, expectedMd5, hexSha256, headerValue, announcedTrailer);
    }

    /// <summary>
    /// The Content-Encoding to store with the object: the header without the aws-chunked token
    /// ("gzip,aws-chunked" gives "gzip"; "aws-chunked" alone gives null).
    /// </summary>
    public static string? StoredContentEncoding(string? contentEncoding)
    {
        if (string.IsNullOrWhiteSpace(contentEncoding))
        {
            return null;
        }

        if (!HasAwsChunked(contentEncoding))
        {
            return contentEncoding;
        }

        var kept = contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(token => !token.Equals(AwsChunked, StringComparison.OrdinalIgnoreCase))
            .ToList();
        return kept.Count == 0 ? null : string.Join(",", kept);
    }

    private static bool HasAwsChunked(string? contentEncoding) =>
        contentEncoding is not null && contentEncoding.Split(',', StringSplitOptions.TrimEntries).Any(t => t.Equals(AwsChunked, StringComparison.OrdinalIgnoreCase));

    private static byte[]? ParseContentMd5(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var md5 = new byte[16];
        var trimmed = value.Trim();
        return trimmed.Length == 24 && Convert.TryFromBase64String(trimmed, md5, out var written) && written == 16
            ? md5
            : throw BodyErrors.InvalidDigest(value);
    }

    private static long? ParseLength(string? value, string name)
    {
        if (value is null)
        {
            return null;
        }

        return long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            ? length
            : throw S3Exception.InvalidArgument($"{name} \"{value}\" is not a number of bytes.");
    }

    // At most one checksum, from an x-amz-checksum-* header or announced by x-amz-trailer, and
    // it must agree with x-amz-sdk-checksum-algorithm when that is sent.
    private static (ChecksumAlgorithm? Algorithm, string? HeaderValue, string? AnnouncedTrailer) ChecksumOf(Func<string, string?> getHeader, bool chunked, bool trailerAllowed)
    {
        ChecksumAlgorithm? algorithm = null;
        string? headerValue = null;
        foreach (var candidate in Enum.GetValues<ChecksumAlgorithm>())
        {
            var name = Checksum.GetHeaderName(candidate);
            if (getHeader(name)?.Trim() is not { } value)
            {
                continue;
            }

            if (algorithm is not null)
            {
                throw BodyErrors.SingleChecksum();
            }

            if (!Checksum.IsWellFormed(candidate, value))
            {
                throw S3Exception.InvalidRequest($"Value for {name} header is invalid.");
            }

            (algorithm, headerValue) = (candidate, value);
        }

        string? announced = null;
        var trailer = getHeader("x-amz-trailer")?.Trim();
        if (!string.IsNullOrEmpty(trailer))
        {
            var names = trailer.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (algorithm is not null || names.Length > 1)
            {
                throw BodyErrors.SingleChecksum();
            }

            if (!Checksum.TryParseHeaderName(names[0], out var trailing))
            {
                throw S3Exception.InvalidRequest($"x-amz-trailer \"{trailer}\" is not supported; the trailer can only be one x-amz-checksum-* header (crc32, crc32c, crc64nvme, sha1 or sha256).");
            }

            if (!trailerAllowed)
            {
                throw BodyErrors.MalformedTrailer(chunked
                    ? "x-amz-trailer was sent but x-amz-content-sha256 is not a -TRAILER variant, so the body cannot carry a trailer."
                    : "x-amz-trailer was sent but the body is not aws-chunked, so it cannot carry a trailer.");
            }

            algorithm = trailing;
            announced = names[0].ToLowerInvariant();
        }

        var sdkAlgorithm = getHeader("x-amz-sdk-checksum-algorithm");
        if (sdkAlgorithm is not null)
        {
            if (!Checksum.TryParseName(sdkAlgorithm, out var named))
            {
                throw BodyErrors.UnsupportedAlgorithm();
            }

            if (algorithm is { } actual && actual != named)
            {
                throw S3Exception.InvalidRequest(
                    $"x-amz-sdk-checksum-algorithm is {Checksum.GetName(named)} but the request's checksum is {(announced is null ? "the header " : "the trailer ")}{Checksum.GetHeaderName(actual)}.");
            }
        }

        return (algorithm, headerValue, announced);
    }
}

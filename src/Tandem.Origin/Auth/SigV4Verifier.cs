using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;

namespace Tandem.Origin.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 on a request, in the Authorization header or in a presigned
/// URL, and fails the way S3 fails so that clients recognise the error.
/// </summary>
public static class SigV4Verifier
{
    /// <summary>The longest a presigned URL may be valid: seven days, as in S3.</summary>
    public const long MaxPresignedExpiresSeconds = 604800;

    private const string CredentialFormat = "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";

    /// <summary>
    /// Authenticates a request. Returns null when it carries no authentication at all (no
    /// Authorization header and no X-Amz-Algorithm query parameter); throws
    /// <see cref="S3Exception"/> with S3's code when it carries authentication that is not valid.
    /// </summary>
    /// <param name="request">The request as received.</param>
    /// <param name="credentials">Where the secret keys are.</param>
    /// <param name="now">The server's time, for clock skew and presigned expiry.</param>
    /// <param name="expectedRegion">
    /// When given, a signature for another region fails with AuthorizationHeaderMalformed (or
    /// AuthorizationQueryParametersError) whose Region element names this one, which SDKs use to
    /// retry in the right region. When null, any region is accepted.
    /// </param>
    public static AuthContext? Authenticate(SignedRequest request, ICredentialLookup credentials, DateTimeOffset now, string? expectedRegion = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);

        var query = SigV4.SplitQuery(request.RawQuery);
        var authorization = request.GetHeader("authorization");
        var algorithm = FindParameter(query, "X-Amz-Algorithm");
        var v2Query = HasExactParameter(query, "Signature") && HasExactParameter(query, "AWSAccessKeyId");

        if (!string.IsNullOrWhiteSpace(authorization))
        {
            if (algorithm is not null || v2Query)
            {
                throw AuthErrors.OneMechanism(authorization);
            }

            return FromHeader(request, authorization.Trim(), query, credentials, now, expectedRegion);
        }

        if (algorithm is not null)
        {
            return FromQuery(request, algorithm, query, credentials, now, expectedRegion);
        }

        if (v2Query)
        {
            throw AuthErrors.SigV2();
        }

        return null;
    }

    private static AuthContext FromHeader(SignedRequest request, string authorization, List<(string Name, string Value)> query, ICredentialLookup credentials, DateTimeOffset now, string? expectedRegion)
    {
        var space = authorization.IndexOf(' ');
        var scheme = space < 0 ? authorization : authorization[..space];
        switch (scheme)
        {
            case SigV4.Algorithm:
                break;
            case "AWS":
                throw AuthErrors.SigV2();
            case SigV4.SigV4aAlgorithm:
                throw AuthErrors.SigV4a();
            default:
                throw AuthErrors.UnsupportedAuthorizationType(authorization);
        }

        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in authorization[(space + 1)..].Split(','))
        {
            var eq = part.IndexOf('=');
            if (eq < 0)
            {
                continue;
            }

            var value = part[(eq + 1)..].Trim();
            switch (part[..eq].Trim())
            {
                case "Credential":
                    credential = value;
                    break;
                case "SignedHeaders":
                    signedHeaders = value;
                    break;
                case "Signature":
                    signature = value;
                    break;
            }
        }

        if (string.IsNullOrEmpty(credential) || string.IsNullOrEmpty(signedHeaders) || string.IsNullOrEmpty(signature) || space < 0)
        {
            throw AuthErrors.HeaderMalformed("the authorization header requires three components: Credential, SignedHeaders, and Signature.");
        }

        var (accessKeyId, scopeDate, region) = ParseCredential(credential, expectedRegion, (detail, r) => AuthErrors.HeaderMalformed(detail, r));

        var payloadHash = request.GetHeader("x-amz-content-sha256") ?? throw AuthErrors.MissingPayloadHash();
        if (!PayloadHashes.IsValid(payloadHash))
        {
            throw payloadHash.StartsWith("STREAMING-AWS4-ECDSA", StringComparison.Ordinal) ? AuthErrors.SigV4a() : AuthErrors.InvalidPayloadHash(payloadHash);
        }

        var (amzDate, requestTime) = RequestDate(request);
        if (!amzDate.StartsWith(scopeDate, StringComparison.Ordinal))
        {
            throw AuthErrors.HeaderMalformed($"Invalid credential date \"{scopeDate}\". This date is not the same as X-Amz-Date: \"{amzDate[..8]}\".");
        }

        var names = ParseSignedHeaders(signedHeaders, request, detail => AuthErrors.HeaderMalformed(detail));
        var secret = credentials.FindSecret(accessKeyId) ?? throw AuthErrors.UnknownKey(accessKeyId);
        var scope = SigV4.Scope(scopeDate, region);
        var key = SigV4.SigningKey(secret, scopeDate, region);
        var seed = VerifySignature(request, query, exclude: null, names, signedHeaders, payloadHash, amzDate, scope, key, accessKeyId, signature);

        if ((requestTime - now).Duration() > SigV4.MaxSkew)
        {
            throw AuthErrors.TooSkewed(amzDate, now);
        }

        return new AuthContext(accessKeyId, region, scope, amzDate, seed, (byte[])key.Clone(), payloadHash);
    }

    private static AuthContext FromQuery(SignedRequest request, string algorithm, List<(string Name, string Value)> query, ICredentialLookup credentials, DateTimeOffset now, string? expectedRegion)
    {
        var credential = FindParameter(query, "X-Amz-Credential");
        var date = FindParameter(query, "X-Amz-Date");
        var expires = FindParameter(query, "X-Amz-Expires");
        var signedHeaders = FindParameter(query, "X-Amz-SignedHeaders");
        var signature = FindParameter(query, "X-Amz-Signature");
        if (credential is null || date is null || expires is null || signedHeaders is null || signature is null)
        {
            throw AuthErrors.QueryMalformed("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
        }

        if (algorithm == SigV4.SigV4aAlgorithm)
        {
            throw AuthErrors.SigV4a();
        }

        if (algorithm != SigV4.Algorithm)
        {
            throw AuthErrors.QueryMalformed("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        }

        if (!SigV4.TryParseAmzDate(date, out var signedAt))
        {
            throw AuthErrors.QueryMalformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
        }

        if (!long.TryParse(expires, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var expiresSeconds))
        {
            throw AuthErrors.QueryMalformed("X-Amz-Expires should be a number");
        }

        if (expiresSeconds < 0)
        {
            throw AuthErrors.QueryMalformed("X-Amz-Expires must be non-negative");
        }

        if (expiresSeconds > MaxPresignedExpiresSeconds)
        {
            throw AuthErrors.QueryMalformed("X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds");
        }

        var (accessKeyId, scopeDate, region) = ParseCredential(credential, expectedRegion,
            (detail, r) => AuthErrors.QueryMalformed("Error parsing the X-Amz-Credential parameter; " + detail, r));
        if (!date.StartsWith(scopeDate, StringComparison.Ordinal))
        {
            throw AuthErrors.QueryMalformed($"Invalid credential date \"{scopeDate}\". This date is not the same as X-Amz-Date: \"{date[..8]}\".");
        }

        var names = ParseSignedHeaders(signedHeaders, request, detail => AuthErrors.QueryMalformed("Error parsing the X-Amz-SignedHeaders parameter; " + detail));
        var secret = credentials.FindSecret(accessKeyId) ?? throw AuthErrors.UnknownKey(accessKeyId);
        var scope = SigV4.Scope(scopeDate, region);
        var key = SigV4.SigningKey(secret, scopeDate, region);

        // A presigned URL is made before anyone knows the body, so the payload is never signed.
        var seed = VerifySignature(request, query, exclude: "X-Amz-Signature", names, signedHeaders, PayloadHashes.Unsigned, date, scope, key, accessKeyId, signature);

        if (now < signedAt - SigV4.MaxSkew)
        {
            throw AuthErrors.NotYetValid(date, now);
        }

        var expiresAt = signedAt.AddSeconds(expiresSeconds);
        if (expiresSeconds == 0 || now > expiresAt)
        {
            throw AuthErrors.Expired(expiresSeconds, expiresAt, now);
        }

        return new AuthContext(accessKeyId, region, scope, date, seed, (byte[])key.Clone(), PayloadHashes.Unsigned) { IsPresigned = true };
    }

    private static (string AccessKeyId, string Date, string Region) ParseCredential(string credential, string? expectedRegion, Func<string, string?, S3Exception> error)
    {
        var parts = credential.Split('/');
        if (parts.Length != 5 || parts.Any(p => p.Length == 0))
        {
            throw error(CredentialFormat, null);
        }

        var (accessKeyId, date, region, service, terminator) = (parts[0], parts[1], parts[2], parts[3], parts[4]);
        if (date.Length != 8 || !DateTime.TryParseExact(date, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw error($"incorrect date format \"{date}\". This date in the credential must be in the format \"yyyyMMdd\".", null);
        }

        if (service != SigV4.Service)
        {
            throw error($"incorrect service \"{service}\". This endpoint belongs to \"{SigV4.Service}\".", null);
        }

        if (terminator != SigV4.Terminator)
        {
            throw error($"incorrect terminal \"{terminator}\". This endpoint uses \"{SigV4.Terminator}\".", null);
        }

        if (expectedRegion is not null && region != expectedRegion)
        {
            throw error($"the region '{region}' is wrong; expecting '{expectedRegion}'", expectedRegion);
        }

        return (accessKeyId, date, region);
    }

    // x-amz-date, or else the Date header; the string to sign always carries the ISO 8601 basic form.
    private static (string AmzDate, DateTimeOffset Time) RequestDate(SignedRequest request)
    {
        var amzDate = request.GetHeader("x-amz-date");
        if (amzDate is not null)
        {
            return SigV4.TryParseAmzDate(amzDate.Trim(), out var time) ? (amzDate.Trim(), time) : throw AuthErrors.NoDate();
        }

        var date = request.GetHeader("date");
        if (date is not null && DateTimeOffset.TryParseExact(date.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return (SigV4.FormatAmzDate(parsed), parsed);
        }

        throw AuthErrors.NoDate();
    }

    // Host and every x-amz-* header must be signed, as S3 requires: otherwise whoever relays
    // the request could add x-amz-* headers (metadata, copy source, ...) that the signer never saw.
    private static List<string> ParseSignedHeaders(string signedHeaders, SignedRequest request, Func<string, S3Exception> error)
    {
        var names = new List<string>();
        foreach (var name in signedHeaders.Split(';'))
        {
            if (name.Length == 0)
            {
                throw error($"SignedHeaders \"{signedHeaders}\" has an empty header name.");
            }

            names.Add(name.ToLowerInvariant());
        }

        List<string>? unsigned = null;
        if (!names.Contains("host"))
        {
            (unsigned ??= []).Add("host");
        }

        foreach (var (key, _) in request.Headers)
        {
            var lower = key.ToLowerInvariant();
            if (lower.StartsWith("x-amz-", StringComparison.Ordinal) && !names.Contains(lower) && !(unsigned?.Contains(lower) ?? false))
            {
                (unsigned ??= []).Add(lower);
            }
        }

        return unsigned is null ? names : throw AuthErrors.HeadersNotSigned(unsigned);
    }

    private static string VerifySignature(SignedRequest request, List<(string Name, string Value)> query, string? exclude, List<string> names, string signedHeaders,
        string payloadHash, string amzDate, string scope, byte[] key, string accessKeyId, string providedHex)
    {
        Span<byte> provided = stackalloc byte[32];
        var parsed = providedHex.Length == 64 && Convert.FromHexString(providedHex, provided, out _, out _) == OperationStatus.Done;

        var canonicalUri = SigV4.CanonicalUri(request.RawPath);
        var canonicalHeaders = SigV4.CanonicalHeaders(request.Headers, names);

        // A raw '+' in a query is ambiguous: form encoding (and S3) read it as a space, while a
        // signer that left a literal plus unencoded signed it as %2B. Both readings are tried;
        // either way the signature covers every other byte of the query.
        string? firstCanonical = null, firstStringToSign = null;
        var readings = request.RawQuery.Contains('+', StringComparison.Ordinal) ? 2 : 1;
        for (var i = 0; i < readings; i++)
        {
            var canonicalQuery = SigV4.CanonicalQuery(query, plusIsSpace: i == 0, exclude);
            var canonical = SigV4.CanonicalRequest(request.Method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash);
            var stringToSign = SigV4.StringToSign(amzDate, scope, canonical);
            var computed = SigV4.Sign(key, stringToSign);
            if (parsed && CryptographicOperations.FixedTimeEquals(computed, provided))
            {
                return Convert.ToHexStringLower(computed);
            }

            firstCanonical ??= canonical;
            firstStringToSign ??= stringToSign;
        }

        throw AuthErrors.SignatureMismatch(accessKeyId, providedHex, firstStringToSign!, firstCanonical);
    }

    // Presigned parameter names are matched in any letter case, as S3 does.
    private static string? FindParameter(List<(string Name, string Value)> query, string name)
    {
        foreach (var (rawName, rawValue) in query)
        {
            if (string.Equals(SigV4.DecodeComponent(rawName), name, StringComparison.OrdinalIgnoreCase))
            {
                return SigV4.DecodeComponent(rawValue);
            }
        }

        return null;
    }

    private static bool HasExactParameter(List<(string Name, string Value)> query, string name) =>
        query.Any(p => p.Name == name);
}

using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tandem.Edge.Acme;

/// <summary>A certificate chain (leaf first, PEM) and the fresh private key it was issued for (PKCS#8 PEM).</summary>
public sealed record AcmeCertificate(string ChainPem, string KeyPem);

public sealed class AcmeClientOptions
{
    /// <summary>How long one authorization or order may take to become valid before giving up.</summary>
    public TimeSpan PollTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Wait between polls when the server sends no Retry-After.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest Retry-After honoured between polls (a server asking for more is polled sooner).</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Contact URLs for the account, e.g. <c>mailto:ops@example.org</c>.</summary>
    public IReadOnlyList<string> Contact { get; init; } = [];
}

/// <summary>
/// A small ACME (RFC 8555) client: an account from a stored key, an order for a set of names
/// validated over HTTP-01, finalised with a CSR for a fresh P-256 key, and the chain downloaded.
/// Not thread-safe: one order at a time per client.
/// </summary>
public sealed class AcmeClient
{
    private const string JoseJson = "application/jose+json";
    private readonly HttpClient _http;
    private readonly Uri _directoryUrl;
    private readonly AcmeJws _jws;
    private readonly AcmeClientOptions _options;
    private readonly TimeProvider _time;
    private JsonElement? _directory;
    private string? _nonce;

    public AcmeClient(HttpClient http, Uri directoryUrl, ECDsa accountKey, AcmeClientOptions? options = null, TimeProvider? time = null)
    {
        _http = http;
        _directoryUrl = directoryUrl;
        _jws = new AcmeJws(accountKey);
        _options = options ?? new AcmeClientOptions();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The account's URL (the <c>kid</c>) once <see cref="EnsureAccountAsync"/> ran.</summary>
    public string? AccountUrl { get; private set; }

    public AcmeJws Jws => _jws;

    /// <summary>
    /// An HttpClient for an ACME server. With <paramref name="trustedRoot"/>, the server's chain
    /// must build to that root alone (a private CA such as Pebble's); the host name must still match.
    /// </summary>
    public static HttpClient CreateHttpClient(X509Certificate2? trustedRoot = null, TimeSpan? timeout = null)
    {
        var handler = new HttpClientHandler();
        if (trustedRoot is not null)
        {
            handler.ServerCertificateCustomValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            };
        }

        var http = new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("Tandem-ACME/1");
        return http;
    }

    /// <summary>Registers the account for the key, or finds it when the key is already registered (same URL).</summary>
    public async Task<string> EnsureAccountAsync(CancellationToken ct = default)
    {
        var payload = new JsonObject
        {
            ["termsOfServiceAgreed"] = true,
            ["onlyReturnExisting"] = false,
            ["contact"] = new JsonArray([.. _options.Contact.Select(c => (JsonNode)JsonValue.Create(c))]),
        };
        using var response = await PostAsync(await ResourceAsync("newAccount", ct), payload.ToJsonString(), useKid: false, "account registration failed", ct);
        AccountUrl = response.Headers.Location?.ToString()
            ?? throw new AcmeProblemException($"account registration returned no Location header ({response.RequestMessage?.RequestUri})");
        return AccountUrl;
    }

    /// <summary>
    /// Orders a certificate for <paramref name="names"/> (DNS names or IP addresses), answering
    /// HTTP-01 through <paramref name="challenges"/>; throws <see cref="AcmeProblemException"/> naming the step that failed.
    /// </summary>
    public async Task<AcmeCertificate> ObtainCertificateAsync(IReadOnlyList<string> names, Http01Challenges challenges, CancellationToken ct = default)
    {
        if (names.Count == 0)
        {
            throw new ArgumentException("At least one name is needed.", nameof(names));
        }

        if (AccountUrl is null)
        {
            await EnsureAccountAsync(ct);
        }

        var identifiers = new JsonArray([.. names.Select(n => (JsonNode)new JsonObject
        {
            ["type"] = IPAddress.TryParse(n, out _) ? "ip" : "dns",
            ["value"] = n,
        })]);
        string orderUrl;
        JsonElement order;
        using (var response = await PostAsync(await ResourceAsync("newOrder", ct), new JsonObject { ["identifiers"] = identifiers }.ToJsonString(), useKid: true, "new order failed", ct))
        {
            orderUrl = response.Headers.Location?.ToString() ?? throw new AcmeProblemException("new order returned no Location header");
            order = await ReadJsonAsync(response, ct);
        }

        foreach (var authzUrl in order.GetProperty("authorizations").EnumerateArray().Select(a => a.GetString()!))
        {
            await AuthorizeAsync(authzUrl, challenges, ct);
        }

        order = await PollAsync(orderUrl, "order", s => s is "ready" or "valid", ct);
        if (order.GetProperty("status").GetString() == "valid")
        {
            // A reused order finalised before: its certificate is for a key we do not have.
            throw new AcmeProblemException($"the order is already valid, finalised with another key ({orderUrl})", url: orderUrl);
        }

        using var certificateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = BuildCsr(names, certificateKey);
        var payload = new JsonObject { ["csr"] = Base64Url.Encode(csr) }.ToJsonString();
        using (await PostAsync(order.GetProperty("finalize").GetString()!, payload, useKid: true, "finalize failed", ct))
        {
        }

        order = await PollAsync(orderUrl, "order", s => s == "valid", ct);

        var certificateUrl = order.TryGetProperty("certificate", out var c) ? c.GetString()! : throw new AcmeProblemException($"valid order has no certificate URL ({orderUrl})");
        using var certificate = await PostAsync(certificateUrl, null, useKid: true, "certificate download failed", ct, accept: "application/pem-certificate-chain");
        var chain = await certificate.Content.ReadAsStringAsync(ct);
        return new AcmeCertificate(chain, certificateKey.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A CSR for the names: CN the first, SAN all of them (dNSName or iPAddress).</summary>
    public static byte[] BuildCsr(IReadOnlyList<string> names, ECDsa key)
    {
        var request = new CertificateRequest(new X500DistinguishedName($"CN={names[0]}"), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequest();
    }

    private async Task AuthorizeAsync(string authzUrl, Http01Challenges challenges, CancellationToken ct)
    {
        var authz = await PostAsGetJsonAsync(authzUrl, "authorization fetch failed", ct);
        var name = authz.GetProperty("identifier").GetProperty("value").GetString();
        if (authz.GetProperty("status").GetString() == "valid")
        {
            return;
        }

        var challenge = authz.GetProperty("challenges").EnumerateArray()
            .FirstOrDefault(ch => ch.GetProperty("type").GetString() == "http-01");
        if (challenge.ValueKind != JsonValueKind.Object)
        {
            throw new AcmeProblemException($"authorization for {name} offers no http-01 challenge ({authzUrl})", url: authzUrl);
        }

        var token = challenge.GetProperty("token").GetString()!;
        try
        {
            await challenges.PublishAsync(token, _jws.KeyAuthorization(token), ct);
            using (await PostAsync(challenge.GetProperty("url").GetString()!, "{}", useKid: true, $"answering the http-01 challenge for {name} failed", ct))
            {
            }

            authz = await PollAsync(authzUrl, $"authorization for {name}", s => s == "valid", ct);
        }
        finally
        {
            await challenges.WithdrawAsync(token);
        }
    }

    /// <summary>Polls until <paramref name="done"/>; "invalid" (or a timeout) is an <see cref="AcmeProblemException"/> with the server's reason.</summary>
    private async Task<JsonElement> PollAsync(string url, string what, Func<string, bool> done, CancellationToken ct)
    {
        var deadline = _time.GetTimestamp() + (long)(_options.PollTimeout.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            TimeSpan? retryAfter;
            JsonElement body;
            using (var response = await PostAsync(url, null, useKid: true, $"polling the {what} failed", ct))
            {
                body = await ReadJsonAsync(response, ct);
                retryAfter = RetryAfter(response);
            }

            var status = body.GetProperty("status").GetString() ?? "";
            if (done(status))
            {
                return body;
            }

            if (status is "invalid" or "revoked" or "deactivated" or "expired")
            {
                throw InvalidProblem(body, what, status, url);
            }

            var wait = retryAfter ?? _options.PollInterval;
            wait = wait > _options.MaxRetryAfter ? _options.MaxRetryAfter : wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            if (_time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency) > deadline)
            {
                throw new AcmeProblemException($"the {what} is still '{status}' after {_options.PollTimeout.TotalSeconds:0} s ({url})", url: url);
            }

            await Task.Delay(wait, _time, ct);
        }
    }

    private static AcmeProblemException InvalidProblem(JsonElement body, string what, string status, string url)
    {
        var context = $"the {what} is {status}";
        if (body.TryGetProperty("error", out var error))
        {
            return AcmeProblemException.FromElement(error, context, url);
        }

        if (body.TryGetProperty("challenges", out var challenges))
        {
            foreach (var ch in challenges.EnumerateArray())
            {
                if (ch.TryGetProperty("error", out var chError))
                {
                    return AcmeProblemException.FromElement(chError, $"{context} ({ch.GetProperty("type").GetString()} challenge failed)", url);
                }
            }
        }

        return new AcmeProblemException($"{context} ({url})", url: url);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - _time.GetUtcNow() : null;
    }

    private async Task<JsonElement> PostAsGetJsonAsync(string url, string context, CancellationToken ct)
    {
        using var response = await PostAsync(url, null, useKid: true, context, ct);
        return await ReadJsonAsync(response, ct);
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.Clone();
    }

    /// <summary>A signed POST; a badNonce answer is retried (twice) with the nonce it carries.</summary>
    private async Task<HttpResponseMessage> PostAsync(string url, string? payloadJson, bool useKid, string context, CancellationToken ct, string? accept = null)
    {
        if (useKid && AccountUrl is null)
        {
            await EnsureAccountAsync(ct);
        }

        for (var attempt = 1; ; attempt++)
        {
            var nonce = _nonce ?? await NewNonceAsync(ct);
            _nonce = null;
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(_jws.Sign(url, nonce, payloadJson, useKid ? AccountUrl : null), Encoding.UTF8),
            };
            request.Content.Headers.ContentType = new(JoseJson);
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }

            var response = await _http.SendAsync(request, ct);
            KeepNonce(response);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var problem = AcmeProblemException.Parse(await response.Content.ReadAsStringAsync(ct), url, (int)response.StatusCode, context);
                if (!problem.IsBadNonce || attempt >= 3)
                {
                    throw problem;
                }
            }
        }
    }

    private void KeepNonce(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Replay-Nonce", out var values))
        {
            _nonce = values.FirstOrDefault();
        }
    }

    private async Task<string> NewNonceAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, await ResourceAsync("newNonce", ct));
        using var response = await _http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode || !response.Headers.TryGetValues("Replay-Nonce", out var values))
        {
            throw new AcmeProblemException($"newNonce gave HTTP {(int)response.StatusCode} without a Replay-Nonce ({request.RequestUri})", url: request.RequestUri?.ToString(), status: (int)response.StatusCode);
        }

        return values.First();
    }

    private async Task<string> ResourceAsync(string name, CancellationToken ct)
    {
        if (_directory is null)
        {
            using var response = await _http.GetAsync(_directoryUrl, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw AcmeProblemException.Parse(await response.Content.ReadAsStringAsync(ct), _directoryUrl.ToString(), (int)response.StatusCode, "ACME directory fetch failed");
            }

            _directory = await ReadJsonAsync(response, ct);
        }

        return _directory.Value.TryGetProperty(name, out var url) && url.GetString() is { } s
            ? s
            : throw new AcmeProblemException($"the ACME directory has no '{name}' ({_directoryUrl})", url: _directoryUrl.ToString());
    }
}

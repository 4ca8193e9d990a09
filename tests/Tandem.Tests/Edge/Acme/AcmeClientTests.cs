using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Tandem.Edge.Acme;

namespace Tandem.Tests.Edge.Acme;

/// <summary>The client's HTTP behaviour against a scripted server: nonces, badNonce retries, problems.</summary>
public sealed class AcmeClientTests
{
    private const string Directory = """{"newNonce":"https://acme.test/nonce","newAccount":"https://acme.test/acct","newOrder":"https://acme.test/order"}""";

    [Fact]
    public async Task EnsureAccount_BadNonceOnce_RetriesWithTheNonceFromTheErrorAndReturnsTheAccountUrl()
    {
        var nonces = new List<string>();
        var server = new ScriptedServer(request =>
        {
            if (request.Method == HttpMethod.Get)
            {
                return Json(HttpStatusCode.OK, Directory);
            }

            if (request.Method == HttpMethod.Head)
            {
                return WithNonce(new HttpResponseMessage(HttpStatusCode.OK), "n1");
            }

            nonces.Add(NonceOf(request));
            return nonces.Count == 1
                ? WithNonce(Json(HttpStatusCode.BadRequest, """{"type":"urn:ietf:params:acme:error:badNonce","detail":"stale"}"""), "n2")
                : WithNonce(Created("https://acme.test/acct/1", "{}"), "n3");
        });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new AcmeClient(new HttpClient(server), new Uri("https://acme.test/dir"), key);

        Assert.Equal("https://acme.test/acct/1", await client.EnsureAccountAsync());
        Assert.Equal(["n1", "n2"], nonces);
        Assert.Equal(1, server.Heads);
    }

    [Fact]
    public async Task EnsureAccount_BadNonceEveryTime_GivesUpAfterThreeTriesWithTheProblem()
    {
        var posts = 0;
        var server = new ScriptedServer(request =>
        {
            if (request.Method == HttpMethod.Get)
            {
                return Json(HttpStatusCode.OK, Directory);
            }

            if (request.Method == HttpMethod.Head)
            {
                return WithNonce(new HttpResponseMessage(HttpStatusCode.OK), "fresh");
            }

            posts++;
            return WithNonce(Json(HttpStatusCode.BadRequest, """{"type":"urn:ietf:params:acme:error:badNonce","detail":"stale"}"""), $"n{posts}");
        });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new AcmeClient(new HttpClient(server), new Uri("https://acme.test/dir"), key);

        var problem = await Assert.ThrowsAsync<AcmeProblemException>(() => client.EnsureAccountAsync());
        Assert.Equal(3, posts);
        Assert.True(problem.IsBadNonce);
        Assert.Contains("account registration failed", problem.Message);
    }

    [Fact]
    public async Task EnsureAccount_SendsJoseJsonWithJwkAndAgreesToTerms()
    {
        string? contentType = null;
        JsonElement payload = default;
        var server = new ScriptedServer(request =>
        {
            if (request.Method == HttpMethod.Get)
            {
                return Json(HttpStatusCode.OK, Directory);
            }

            if (request.Method == HttpMethod.Head)
            {
                return WithNonce(new HttpResponseMessage(HttpStatusCode.OK), "n1");
            }

            contentType = request.Content!.Headers.ContentType!.MediaType;
            var body = JsonDocument.Parse(request.Content.ReadAsStringAsync().Result).RootElement;
            payload = JsonDocument.Parse(Base64Url.Decode(body.GetProperty("payload").GetString()!)).RootElement.Clone();
            return Created("https://acme.test/acct/9", "{}");
        });
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new AcmeClient(new HttpClient(server), new Uri("https://acme.test/dir"), key, new AcmeClientOptions { Contact = ["mailto:ops@example.org"] });

        await client.EnsureAccountAsync();

        Assert.Equal("application/jose+json", contentType);
        Assert.True(payload.GetProperty("termsOfServiceAgreed").GetBoolean());
        Assert.False(payload.GetProperty("onlyReturnExisting").GetBoolean());
        Assert.Equal("mailto:ops@example.org", payload.GetProperty("contact")[0].GetString());
    }

    [Fact]
    public async Task ObtainCertificate_OrderAlreadyValid_IsRefusedRatherThanReturningACertificateForAnotherKey()
    {
        const string Order = """{"status":"valid","identifiers":[{"type":"dns","value":"a.test"}],"authorizations":[],"finalize":"https://acme.test/order/1/finalize","certificate":"https://acme.test/cert/1"}""";
        var server = new ScriptedServer(request => request.Method == HttpMethod.Get
            ? Json(HttpStatusCode.OK, Directory)
            : WithNonce(request.RequestUri!.AbsolutePath switch
            {
                "/nonce" => new HttpResponseMessage(HttpStatusCode.OK),
                "/acct" => Created("https://acme.test/acct/1", "{}"),
                "/order" => Created("https://acme.test/order/1", Order),
                _ => Json(HttpStatusCode.OK, Order),
            }, "n"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = new AcmeClient(new HttpClient(server), new Uri("https://acme.test/dir"), key);

        var problem = await Assert.ThrowsAsync<AcmeProblemException>(() => client.ObtainCertificateAsync(["a.test"], new Http01Challenges()));
        Assert.Contains("already valid", problem.Message);
        Assert.Equal("https://acme.test/order/1", problem.Url);
    }

    [Fact]
    public void BuildCsr_DnsAndIpNames_AreInTheSanAndTheSignatureHolds()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = AcmeClient.BuildCsr(["www.example.org", "192.0.2.7"], key);

        var request = CertificateRequest.LoadSigningRequest(csr, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        var san = request.CertificateExtensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["www.example.org"], san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("192.0.2.7")], san.EnumerateIPAddresses());
        Assert.Equal("CN=www.example.org", request.SubjectName.Name);
    }

    private static string NonceOf(HttpRequestMessage request)
    {
        var body = JsonDocument.Parse(request.Content!.ReadAsStringAsync().Result).RootElement;
        var header = JsonDocument.Parse(Base64Url.Decode(body.GetProperty("protected").GetString()!)).RootElement;
        return header.GetProperty("nonce").GetString()!;
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static HttpResponseMessage Created(string location, string json)
    {
        var response = Json(HttpStatusCode.Created, json);
        response.Headers.Location = new Uri(location);
        return response;
    }

    private static HttpResponseMessage WithNonce(HttpResponseMessage response, string nonce)
    {
        response.Headers.Add("Replay-Nonce", nonce);
        return response;
    }

    private sealed class ScriptedServer(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public int Heads { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Head)
            {
                Heads++;
            }

            var response = respond(request);
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }
}

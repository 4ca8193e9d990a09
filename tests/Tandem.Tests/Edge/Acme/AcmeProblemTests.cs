using System.Text.Json;
using Tandem.Edge.Acme;

namespace Tandem.Tests.Edge.Acme;

public sealed class AcmeProblemTests
{
    [Fact]
    public void Parse_ProblemDocument_GivesTypeDetailStatusAndUrlInOneMessage()
    {
        var body = """
            {"type":"urn:ietf:params:acme:error:rejectedIdentifier","detail":"Error creating new order",
             "status":400,"subproblems":[{"type":"urn:ietf:params:acme:error:malformed","detail":"Invalid underscore in DNS name",
             "identifier":{"type":"dns","value":"_example.org"}}]}
            """;

        var problem = AcmeProblemException.Parse(body, "https://acme.test/new-order", 400, "new order failed");

        Assert.Equal("urn:ietf:params:acme:error:rejectedIdentifier", problem.Type);
        Assert.Equal("Error creating new order", problem.Detail);
        Assert.Equal(400, problem.Status);
        Assert.Equal("https://acme.test/new-order", problem.Url);
        Assert.Equal(
            "new order failed: urn:ietf:params:acme:error:rejectedIdentifier: Error creating new order "
            + "[_example.org: urn:ietf:params:acme:error:malformed Invalid underscore in DNS name] (HTTP 400 from https://acme.test/new-order)",
            problem.Message);
        Assert.False(problem.IsBadNonce);
    }

    [Fact]
    public void Parse_BadNonce_IsRecognised()
    {
        var problem = AcmeProblemException.Parse("""{"type":"urn:ietf:params:acme:error:badNonce","detail":"JWS has an invalid anti-replay nonce"}""", "https://acme.test/x", 400);
        Assert.True(problem.IsBadNonce);
    }

    [Fact]
    public void Parse_NotJson_StillNamesStatusUrlAndTheStartOfTheBody()
    {
        var problem = AcmeProblemException.Parse("<html>" + new string('x', 500), "https://acme.test/dir", 502, "ACME directory fetch failed");

        Assert.Null(problem.Type);
        Assert.StartsWith("ACME directory fetch failed: (no problem type): <html>xxx", problem.Message);
        Assert.EndsWith("… (HTTP 502 from https://acme.test/dir)", problem.Message);
    }

    [Fact]
    public void FromElement_ChallengeError_NamesTheAuthorization()
    {
        using var doc = JsonDocument.Parse("""{"type":"urn:ietf:params:acme:error:unauthorized","detail":"The key authorization file from the server did not match"}""");

        var problem = AcmeProblemException.FromElement(doc.RootElement, "the authorization for localhost is invalid", "https://acme.test/authz/1");

        Assert.Equal(
            "the authorization for localhost is invalid: urn:ietf:params:acme:error:unauthorized: The key authorization file from the server did not match (https://acme.test/authz/1)",
            problem.Message);
    }
}

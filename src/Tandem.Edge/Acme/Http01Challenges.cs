using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Tandem.Edge.Acme;

/// <summary>
/// The HTTP-01 tokens an order is waiting on and their key authorizations: the ACME client
/// adds them, the edge's HTTP listener answers <c>/.well-known/acme-challenge/{token}</c> from them.
/// </summary>
public sealed class Http01Challenges
{
    public const string PathPrefix = "/.well-known/acme-challenge/";

    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);

    public void Add(string token, string keyAuthorization) => _answers[token] = keyAuthorization;

    public void Remove(string token) => _answers.TryRemove(token, out _);

    public bool TryGet(string token, out string keyAuthorization) => _answers.TryGetValue(token, out keyAuthorization!);

    public int Count => _answers.Count;
}

public static class Http01ChallengeEndpoints
{
    /// <summary>Answers <c>GET /.well-known/acme-challenge/{token}</c> with the key authorization, or 404.</summary>
    public static IEndpointConventionBuilder MapAcmeChallenges(this IEndpointRouteBuilder endpoints, Http01Challenges challenges) =>
        endpoints.MapGet(Http01Challenges.PathPrefix + "{token}", (string token) =>
            challenges.TryGet(token, out var answer)
                ? Results.Text(answer, "application/octet-stream")
                : Results.NotFound());
}

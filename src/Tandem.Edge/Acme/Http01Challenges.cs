using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tandem.Edge.Acme.Sharing;

namespace Tandem.Edge.Acme;

/// <summary>
/// The HTTP-01 tokens an order is waiting on and their key authorizations: the ACME client
/// adds them, the edge's HTTP listener answers <c>/.well-known/acme-challenge/{token}</c> from them.
/// With a share, every token is also published there and a token this edge does not know is
/// looked up there: the CA may reach any of the edges the name points at, not the one ordering.
/// </summary>
public sealed class Http01Challenges
{
    public const string PathPrefix = "/.well-known/acme-challenge/";

    private readonly ConcurrentDictionary<string, string> _answers;
    private readonly CertificateShare? _share;

    public Http01Challenges(CertificateShare? share = null)
        : this(new ConcurrentDictionary<string, string>(StringComparer.Ordinal), share)
    {
    }

    private Http01Challenges(ConcurrentDictionary<string, string> answers, CertificateShare? share)
    {
        _answers = answers;
        _share = share;
        Local = share is null ? this : new Http01Challenges(answers, null);
    }

    /// <summary>The same answers without the share: for an order this edge makes alone when the share is out of reach.</summary>
    public Http01Challenges Local { get; }

    public void Add(string token, string keyAuthorization) => _answers[token] = keyAuthorization;

    public void Remove(string token) => _answers.TryRemove(token, out _);

    /// <summary>Adds the token here and, with a share, publishes it there before the CA is told to look.</summary>
    public async Task PublishAsync(string token, string keyAuthorization, CancellationToken ct)
    {
        Add(token, keyAuthorization);
        if (_share is not null)
        {
            await _share.PutChallengeAsync(token, keyAuthorization, ct);
        }
    }

    /// <summary>Removes the token here and from the share; a share that cannot be reached keeps a stale answer, which is harmless.</summary>
    public async Task WithdrawAsync(string token)
    {
        Remove(token);
        if (_share is not null)
        {
            try
            {
                await _share.DeleteChallengeAsync(token, CancellationToken.None);
            }
            catch (Exception ex) when (IsShareFailure(ex))
            {
            }
        }
    }

    public bool TryGet(string token, out string keyAuthorization) => _answers.TryGetValue(token, out keyAuthorization!);

    /// <summary>The key authorization for <paramref name="token"/>: this edge's, else the share's; null when neither has it.</summary>
    public async Task<string?> FindAsync(string token, CancellationToken ct)
    {
        if (TryGet(token, out var answer))
        {
            return answer;
        }

        if (_share is null || !CertificateShare.IsToken(token))
        {
            return null;
        }

        try
        {
            return await _share.GetChallengeAsync(token, ct);
        }
        catch (Exception ex) when (IsShareFailure(ex))
        {
            return null;
        }
    }

    public int Count => _answers.Count;

    /// <summary>A folder or bucket that cannot be reached: the answer is just not there.</summary>
    private static bool IsShareFailure(Exception ex) =>
        ex is IOException or UnauthorizedAccessException or Amazon.Runtime.AmazonServiceException or HttpRequestException;
}

public static class Http01ChallengeEndpoints
{
    /// <summary>Answers <c>GET /.well-known/acme-challenge/{token}</c> with the key authorization, or 404.</summary>
    public static IEndpointConventionBuilder MapAcmeChallenges(this IEndpointRouteBuilder endpoints, Http01Challenges challenges) =>
        endpoints.MapGet(Http01Challenges.PathPrefix + "{token}", async (string token, HttpContext context) =>
            await challenges.FindAsync(token, context.RequestAborted) is { } answer
                ? Results.Text(answer, "application/octet-stream")
                : Results.NotFound());
}

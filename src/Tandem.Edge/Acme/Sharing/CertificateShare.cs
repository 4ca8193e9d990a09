using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tandem.Edge.Acme.Sharing;

/// <summary>Who is renewing the shared certificate, and until when the others should leave it to them.</summary>
public sealed record ShareLease(string Holder, DateTimeOffset Until);

/// <summary>
/// Where edges that serve the same names keep one certificate: <c>certificate.pem</c> (chain and
/// key), <c>lease.json</c> (the edge renewing it now) and <c>challenges/TOKEN</c> (the HTTP-01
/// answers of an order in progress, so whichever edge the CA reaches can answer). Subclasses
/// store named texts; the lease and the names are decided here, the same for every store.
/// </summary>
public abstract partial class CertificateShare
{
    public const string CertificateName = "certificate.pem";

    public const string LeaseName = "lease.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>For logs: where the share is.</summary>
    public abstract string Description { get; }

    /// <summary>The text stored under <paramref name="name"/>, or null when there is none.</summary>
    protected abstract Task<string?> ReadAsync(string name, CancellationToken ct);

    /// <summary>Stores <paramref name="text"/> under <paramref name="name"/> whole, replacing what was there; readable by the owner only where the store has owners.</summary>
    protected abstract Task WriteAsync(string name, string text, CancellationToken ct);

    /// <summary>Stores <paramref name="text"/> under <paramref name="name"/> only when nothing is there; false when something was.</summary>
    protected abstract Task<bool> CreateAsync(string name, string text, CancellationToken ct);

    protected abstract Task DeleteAsync(string name, CancellationToken ct);

    public async Task<SharedCertificate?> ReadCertificateAsync(CancellationToken ct) =>
        SharedCertificate.Parse(await ReadAsync(CertificateName, ct));

    public Task WriteCertificateAsync(SharedCertificate certificate, CancellationToken ct) =>
        WriteAsync(CertificateName, certificate.ToPem(), ct);

    /// <summary>
    /// Takes the renewal lease for <paramref name="holder"/> until <paramref name="until"/>, unless
    /// another holder's lease is still current at <paramref name="now"/>. An expired lease (its
    /// holder died mid-renewal) is taken over. At worst two edges renew at once, which costs one
    /// extra order, never a wrong certificate.
    /// </summary>
    public async Task<bool> TryLeaseAsync(string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken ct)
    {
        var text = JsonSerializer.Serialize(new ShareLease(holder, until), Json);
        if (await CreateAsync(LeaseName, text, ct))
        {
            return true;
        }

        var current = ParseLease(await ReadAsync(LeaseName, ct));
        if (current is not null && current.Holder != holder && current.Until > now)
        {
            return false;
        }

        // Ours already, expired, or unreadable: replace it, then make sure no other edge did the same.
        await DeleteAsync(LeaseName, ct);
        return await CreateAsync(LeaseName, text, ct);
    }

    /// <summary>The current lease, or null when there is none (or it cannot be read).</summary>
    public async Task<ShareLease?> ReadLeaseAsync(CancellationToken ct) => ParseLease(await ReadAsync(LeaseName, ct));

    /// <summary>Gives the lease up, when <paramref name="holder"/> still has it.</summary>
    public async Task ReleaseLeaseAsync(string holder, CancellationToken ct)
    {
        if (ParseLease(await ReadAsync(LeaseName, ct)) is { } lease && lease.Holder == holder)
        {
            await DeleteAsync(LeaseName, ct);
        }
    }

    public Task PutChallengeAsync(string token, string keyAuthorization, CancellationToken ct) =>
        WriteAsync(ChallengeName(token), keyAuthorization, ct);

    public Task DeleteChallengeAsync(string token, CancellationToken ct) => DeleteAsync(ChallengeName(token), ct);

    /// <summary>The key authorization another edge published for <paramref name="token"/>; null for none or a token that is not one.</summary>
    public Task<string?> GetChallengeAsync(string token, CancellationToken ct) =>
        IsToken(token) ? ReadAsync(ChallengeName(token), ct) : Task.FromResult<string?>(null);

    /// <summary>ACME tokens are base64url; anything else (a visitor's path) never becomes a name in the store.</summary>
    public static bool IsToken(string token) => TokenPattern().IsMatch(token);

    private static string ChallengeName(string token) =>
        IsToken(token) ? "challenges/" + token : throw new ArgumentException($"'{token}' is not an ACME token", nameof(token));

    private static ShareLease? ParseLease(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ShareLease>(text, Json) is { Holder: not null } lease ? lease : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex TokenPattern();
}

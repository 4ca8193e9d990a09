using Tandem.Core.Configuration;

namespace Tandem.Origin.Auth;

/// <summary>Finds the secret of an access key, for verifying SigV4 signatures.</summary>
public interface ICredentialLookup
{
    /// <summary>The secret access key of <paramref name="accessKeyId"/>, or null when the key is unknown.</summary>
    string? FindSecret(string accessKeyId);
}

/// <summary>A fixed set of key pairs, such as the ones in the config file.</summary>
public sealed class StaticCredentialLookup : ICredentialLookup
{
    private readonly Dictionary<string, string> _secrets;

    public StaticCredentialLookup(IEnumerable<(string AccessKeyId, string SecretAccessKey)> credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        _secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, secret) in credentials)
        {
            ArgumentException.ThrowIfNullOrEmpty(id, nameof(credentials));
            ArgumentException.ThrowIfNullOrEmpty(secret, nameof(credentials));
            if (!_secrets.TryAdd(id, secret) && _secrets[id] != secret)
            {
                throw new ArgumentException($"access key '{id}' is given twice with different secrets", nameof(credentials));
            }
        }
    }

    public StaticCredentialLookup(IEnumerable<S3Credentials> credentials)
        : this(credentials.Select(c => (c.AccessKeyId, c.SecretAccessKey)))
    {
    }

    public StaticCredentialLookup(params S3Credentials[] credentials)
        : this((IEnumerable<S3Credentials>)credentials)
    {
    }

    // Access key ids are compared exactly, as AWS does.
    public string? FindSecret(string accessKeyId) => _secrets.GetValueOrDefault(accessKeyId);
}

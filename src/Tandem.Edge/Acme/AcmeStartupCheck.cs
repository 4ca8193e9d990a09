using System.Security.Cryptography;
using Tandem.Core.Configuration;

namespace Tandem.Edge.Acme;

/// <summary>
/// What an edge with ACME checks before it listens, so a bad folder or key is an error at start
/// naming the setting, not a renewal that fails weeks later: the data folder (and a share
/// folder) can be written, and the account key, certificate and key there, when present, can be
/// read (the account key as an ECDSA key).
/// </summary>
public static class AcmeStartupCheck
{
    public static List<ConfigError> Check(EdgeAcmeOptions options, string at)
    {
        var errors = new List<ConfigError>();
        if (Unwritable(options.DataDir) is { } problem)
        {
            errors.Add(new ConfigError($"{at}.dataDir", $"cannot write '{options.DataDir}': {problem}; name a folder the edge's user can write"));
            return errors;
        }

        var account = new AcmeAccountStore(options.DataDir);
        foreach (var file in new[] { account.KeyFile, options.KeyFile, options.CertificateFile })
        {
            if (Unreadable(file) is { } reason)
            {
                errors.Add(new ConfigError($"{at}.dataDir", $"cannot read '{file}': {reason}; let the edge's user read it (keys: chmod 600), or delete it and the edge obtains a new one"));
            }
        }

        if (errors.Count == 0 && File.Exists(account.KeyFile))
        {
            try
            {
                account.LoadOrCreateKey().Dispose();
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(new ConfigError($"{at}.dataDir", $"{ex.Message} Put back the account key, or delete '{account.KeyFile}' to register a new account"));
            }
        }

        if (options.ShareDirectory is { } shared && Unwritable(shared) is { } shareProblem)
        {
            errors.Add(new ConfigError($"{at}.share.directory", $"cannot write '{shared}': {shareProblem}; mount the shared folder and let the edge's user write it"));
        }

        return errors;
    }

    /// <summary>Null when <paramref name="directory"/> exists (or is created) and takes a file; else why not.</summary>
    private static string? Unwritable(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".write-check.{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }

    /// <summary>Null when <paramref name="file"/> is absent or can be read; else why not.</summary>
    private static string? Unreadable(string file)
    {
        if (!File.Exists(file) && !Directory.Exists(file))
        {
            return null;
        }

        try
        {
            using var stream = File.OpenRead(file);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return ex.Message;
        }
    }
}

namespace Tandem.Core.Configuration;

/// <summary>An S3 access key pair.</summary>
public sealed record S3Credentials(string AccessKeyId, string SecretAccessKey)
{
    // Never print the secret, even by accident in a log of the record.
    public override string ToString() => $"S3Credentials {{ AccessKeyId = {AccessKeyId} }}";
}

/// <summary>Finds the key pair a <see cref="CredentialsConfig"/> names.</summary>
public static class CredentialResolver
{
    /// <summary>
    /// Resolves credentials from the environment or an AWS shared-credentials file. Throws
    /// <see cref="ConfigException"/> naming the setting when they cannot be found.
    /// </summary>
    public static S3Credentials Resolve(CredentialsConfig config, string settingPath, Func<string, string> resolvePath, Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        if (config.File is { } file)
        {
            var full = resolvePath(file);
            var profile = config.Profile ?? "default";
            if (!File.Exists(full))
            {
                throw Fail(settingPath + ".file", $"credentials file '{full}' does not exist");
            }

            var sections = ReadIni(File.ReadAllLines(full));
            if (!sections.TryGetValue(profile, out var values))
            {
                throw Fail(settingPath + ".profile", $"profile [{profile}] is not in '{full}' (it has: {string.Join(", ", sections.Keys)})");
            }

            values.TryGetValue("aws_access_key_id", out var id);
            values.TryGetValue("aws_secret_access_key", out var secret);
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
            {
                throw Fail(settingPath, $"profile [{profile}] in '{full}' needs aws_access_key_id and aws_secret_access_key");
            }

            return new S3Credentials(id, secret);
        }

        var idVar = config.AccessKeyIdEnv ?? "AWS_ACCESS_KEY_ID";
        var secretVar = config.SecretAccessKeyEnv ?? "AWS_SECRET_ACCESS_KEY";
        var keyId = getEnv(idVar);
        var key = getEnv(secretVar);
        if (string.IsNullOrEmpty(keyId) || string.IsNullOrEmpty(key))
        {
            throw Fail(settingPath, $"environment variables {idVar} and {secretVar} must both be set");
        }

        return new S3Credentials(keyId, key);
    }

    /// <summary>Writes (or replaces) one profile in an AWS shared-credentials file, readable by the owner only.</summary>
    public static void WriteProfile(string path, string profile, S3Credentials credentials)
    {
        var lines = File.Exists(path) ? File.ReadAllLines(path).ToList() : [];
        var sections = ReadIni(lines);
        sections[profile] = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws_access_key_id"] = credentials.AccessKeyId,
            ["aws_secret_access_key"] = credentials.SecretAccessKey,
        };
        var text = string.Join("\n", sections.Select(s => $"[{s.Key}]\n" + string.Concat(s.Value.Select(kv => $"{kv.Key} = {kv.Value}\n"))));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(tmp, path, overwrite: true);
    }

    private static ConfigException Fail(string path, string message) => new("credentials", [new ConfigError(path, message)]);

    private static Dictionary<string, Dictionary<string, string>> ReadIni(IEnumerable<string> lines)
    {
        var sections = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string>? current = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                var name = line[1..^1].Trim();
                if (name.StartsWith("profile ", StringComparison.Ordinal))
                {
                    name = name[8..].Trim();
                }

                current = sections.TryGetValue(name, out var existing) ? existing : sections[name] = new(StringComparer.OrdinalIgnoreCase);
                continue;
            }

            var eq = line.IndexOf('=');
            if (current is not null && eq > 0)
            {
                current[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }

        return sections;
    }
}

/// <summary>Reads a secret (such as the edge admin token) from where a <see cref="SecretConfig"/> says.</summary>
public static class SecretResolver
{
    /// <summary>The secret, trimmed; throws <see cref="ConfigException"/> naming the setting when it is missing or empty.</summary>
    public static string Resolve(SecretConfig? config, string settingPath, Func<string, string> resolvePath, Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        if (config?.File is { } file)
        {
            var full = resolvePath(file);
            var text = File.Exists(full) ? File.ReadAllText(full).Trim() : null;
            return string.IsNullOrEmpty(text)
                ? throw new ConfigException("secret", [new ConfigError(settingPath + ".file", $"'{full}' does not exist or is empty")])
                : text;
        }

        if (config?.Env is { } env)
        {
            var value = getEnv(env)?.Trim();
            return string.IsNullOrEmpty(value)
                ? throw new ConfigException("secret", [new ConfigError(settingPath + ".env", $"environment variable {env} is not set")])
                : value;
        }

        throw new ConfigException("secret", [new ConfigError(settingPath, "name an env variable or a file that holds the secret")]);
    }

    /// <summary>Writes a new random token to <paramref name="path"/> (owner-only) unless one is there; returns it.</summary>
    public static string EnsureTokenFile(string path)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        var token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, token + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return token;
    }
}

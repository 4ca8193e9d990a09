using Tandem.Core.Configuration;

namespace Tandem.Tests.Core.Configuration;

public sealed class CredentialResolverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tandem-creds").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Resolve_FileProfile_ReadsAwsFormat()
    {
        var file = Path.Combine(_dir, "credentials");
        File.WriteAllText(file, "[default]\naws_access_key_id=A\naws_secret_access_key=B\n\n[primary]\naws_access_key_id = PK\naws_secret_access_key = PS\n");

        var creds = CredentialResolver.Resolve(new CredentialsConfig { File = "credentials", Profile = "primary" }, "$.x", p => Path.Combine(_dir, p));

        Assert.Equal(new S3Credentials("PK", "PS"), creds);
    }

    [Fact]
    public void Resolve_MissingProfile_ListsTheProfilesThere()
    {
        var file = Path.Combine(_dir, "credentials");
        File.WriteAllText(file, "[default]\naws_access_key_id=A\naws_secret_access_key=B\n");

        var ex = Assert.Throws<ConfigException>(() => CredentialResolver.Resolve(new CredentialsConfig { File = file, Profile = "standby" }, "$.origins.standby.credentials", p => p));

        Assert.Equal("$.origins.standby.credentials.profile", ex.Errors[0].Path);
        Assert.Contains("default", ex.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_Environment_NamesTheMissingVariables()
    {
        var env = new Dictionary<string, string> { ["K"] = "id" };

        var ex = Assert.Throws<ConfigException>(() => CredentialResolver.Resolve(new CredentialsConfig { AccessKeyIdEnv = "K", SecretAccessKeyEnv = "S" }, "$.c", p => p, n => env.GetValueOrDefault(n)));
        env["S"] = "secret";
        var ok = CredentialResolver.Resolve(new CredentialsConfig { AccessKeyIdEnv = "K", SecretAccessKeyEnv = "S" }, "$.c", p => p, n => env.GetValueOrDefault(n));

        Assert.Contains("K and S", ex.Errors[0].Message, StringComparison.Ordinal);
        Assert.Equal(new S3Credentials("id", "secret"), ok);
    }

    [Fact]
    public void WriteProfile_ThenResolve_RoundTripsAndKeepsOtherProfiles()
    {
        var file = Path.Combine(_dir, "sub", "credentials");
        CredentialResolver.WriteProfile(file, "primary", new S3Credentials("P1", "S1"));
        CredentialResolver.WriteProfile(file, "standby", new S3Credentials("P2", "S2"));

        Assert.Equal("P1", CredentialResolver.Resolve(new CredentialsConfig { File = file, Profile = "primary" }, "$", p => p).AccessKeyId);
        Assert.Equal("S2", CredentialResolver.Resolve(new CredentialsConfig { File = file, Profile = "standby" }, "$", p => p).SecretAccessKey);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void S3Credentials_ToString_NeverShowsTheSecret()
    {
        Assert.DoesNotContain("topsecret", new S3Credentials("id", "topsecret").ToString(), StringComparison.Ordinal);
    }
}

using System.CommandLine;
using System.Security.Cryptography;
using Tandem.Core.Configuration;

namespace Tandem.Cli;

/// <summary><c>tandem keygen</c>: makes an access key pair and stores it in a credentials file.</summary>
internal static class KeygenCommand
{
    private static readonly Option<string> FileOption = new("--file") { Description = "AWS shared-credentials file to write (created owner-only).", DefaultValueFactory = _ => ".tandem/credentials" };
    private static readonly Option<string> ProfileOption = new("--profile") { Description = "Profile (section) to write or replace.", DefaultValueFactory = _ => "default" };
    private static readonly Option<string?> TokenFileOption = new("--token-file") { Description = "Instead of a key pair, write a random admin API token to this file (owner-only), unless it already holds one." };

    public static Command Build()
    {
        var command = new Command("keygen", """
            Make a random S3 access key pair and write it as a profile of an AWS shared-credentials
            file (the format the AWS CLI reads with --profile). Point an origin's "credentials" at
            the file and profile; the secret never goes into the config file.
            """);
        command.Options.Add(FileOption);
        command.Options.Add(ProfileOption);
        command.Options.Add(TokenFileOption);
        command.SetAction(parse =>
        {
            if (parse.GetValue(TokenFileOption) is { } tokenFile)
            {
                SecretResolver.EnsureTokenFile(tokenFile);
                Console.Out.WriteLine($"admin token in {Path.GetFullPath(tokenFile)}");
                return 0;
            }

            var file = parse.GetValue(FileOption)!;
            var profile = parse.GetValue(ProfileOption)!;
            var credentials = Generate();
            CredentialResolver.WriteProfile(file, profile, credentials);
            Console.Out.WriteLine($"wrote profile [{profile}] with access key {credentials.AccessKeyId} to {Path.GetFullPath(file)}");
            return 0;
        });
        return command;
    }

    /// <summary>A key id in AWS's shape (20 upper-case characters) and a 40-character secret.</summary>
    internal static S3Credentials Generate()
    {
        const string idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var id = "TK" + new string(RandomNumberGenerator.GetItems<char>(idAlphabet, 18));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        return new S3Credentials(id, secret);
    }
}

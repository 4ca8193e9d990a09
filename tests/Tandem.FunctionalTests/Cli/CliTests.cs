using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tandem.Core.Configuration;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Cli;

/// <summary>The tandem executable as a user runs it: exit codes, messages and signals.</summary>
public sealed class CliTests
{
    private static async Task<ExternalTool.Result> TandemAsync(string workingDirectory, params string[] args) =>
        await ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, .. args], workingDirectory: workingDirectory, timeout: TimeSpan.FromMinutes(1));

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tandem.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public async Task Validate_ExampleConfig_ExitsZero()
    {
        var root = RepoRoot();

        var result = await TandemAsync(root, "validate", "--config", "examples/tandem.json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("valid", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("primary, standby", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BrokenConfig_ListsEveryErrorWithItsPathAndExitsNonZero()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("tandem.json"), """
            { "origins": { "primary": { "bucket": "Bad_Name", "server": { "dataDir": "d", "s3Listen": "nowhere", "websiteListen": "127.0.0.1:9001" } },
                           "standby": { "buckit": "site" } } }
            """);

        var result = await TandemAsync(dir.Path, "validate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("$.origins.primary.bucket", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("$.origins.primary.server.s3Listen", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("$.origins.standby.buckit", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("did you mean 'bucket'", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Origin_BusyPort_NamesTheSettingAndExitsNonZero()
    {
        using var dir = new TempDir();
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var busy = ((IPEndPoint)blocker.LocalEndpoint).Port;
        WriteConfig(dir, s3Listen: $"127.0.0.1:{busy}", websiteListen: "127.0.0.1:0");
        CredentialResolver.WriteProfile(dir.Combine("credentials"), "primary", TestOrigin.NewCredentials());

        var result = await TandemAsync(dir.Path, "origin", "primary");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"127.0.0.1:{busy}", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("origins.primary.server.s3Listen", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Origin_UnknownName_ListsTheOrigins()
    {
        using var dir = new TempDir();
        WriteConfig(dir, "127.0.0.1:0", "127.0.0.1:0");

        var result = await TandemAsync(dir.Path, "origin", "tertiary");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no origin named 'tertiary'", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("primary", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Origin_FromConfig_ServesWithFileCredentialsAndStopsCleanlyOnSigterm()
    {
        using var dir = new TempDir();
        WriteConfig(dir, "127.0.0.1:0", "127.0.0.1:0");
        var credentials = TestOrigin.NewCredentials();
        CredentialResolver.WriteProfile(dir.Combine("credentials"), "primary", credentials);

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.Path };
        foreach (var a in new[] { OriginProcess.CliPath, "origin", "primary" })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotNull(ready);
        Assert.StartsWith("primary (us-east) ready: s3 http://127.0.0.1:", ready, StringComparison.Ordinal);
        var s3Url = ready.Split(' ')[4];

        // The key from the credentials file is the one the origin accepts.
        using (var s3 = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey),
            new Amazon.S3.AmazonS3Config { ServiceURL = s3Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" }))
        {
            await s3.PutBucketAsync("site");
            Assert.True(Directory.Exists(Path.Combine(dir.Path, "data", "buckets", "site")));
        }

        SendSigterm(process.Id);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "origin did not stop on SIGTERM");
        Assert.Equal(0, process.ExitCode);
    }

    private static void SendSigterm(int pid)
    {
        using var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static void WriteConfig(TempDir dir, string s3Listen, string websiteListen) =>
        File.WriteAllText(dir.Combine("tandem.json"), $$"""
            {
              "origins": {
                "primary": {
                  "region": "us-east",
                  "bucket": "site",
                  "credentials": { "file": "credentials", "profile": "primary" },
                  "server": { "dataDir": "data", "s3Listen": "{{s3Listen}}", "websiteListen": "{{websiteListen}}", "fsync": false }
                }
              }
            }
            """);
}

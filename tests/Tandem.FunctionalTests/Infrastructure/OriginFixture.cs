using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Tandem.Core.Configuration;
using Tandem.Origin;

namespace Tandem.FunctionalTests.Infrastructure;

/// <summary>A real origin on 127.0.0.1 with free ports, started through the production wiring.</summary>
public sealed class TestOrigin : IRunningOrigin, IAsyncDisposable
{
    private readonly TempDir _dir;
    private int _disposed;

    private TestOrigin(TempDir dir, OriginHost host, S3Credentials credentials)
    {
        _dir = dir;
        Host = host;
        Credentials = credentials;
    }

    public OriginHost Host { get; }

    public S3Credentials Credentials { get; }

    public string DataDirectory => _dir.Combine("data");

    public string S3Url => Host.S3Url.ToString().TrimEnd('/');

    public string WebsiteUrl => Host.WebsiteUrl.ToString().TrimEnd('/');

    public static S3Credentials NewCredentials() =>
        new("TK" + RandomNumberGenerator.GetHexString(18).ToUpperInvariant(), Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)));

    public static async Task<TestOrigin> StartAsync(string? defaultBucket = "site", long maxObjectBytes = 5L * 1024 * 1024 * 1024)
    {
        var dir = new TempDir("tandem-origin");
        var credentials = NewCredentials();
        var host = await OriginHost.StartAsync(new OriginOptions
        {
            DataDirectory = dir.Combine("data"),
            S3Listen = new IPEndPoint(IPAddress.Loopback, 0),
            WebsiteListen = new IPEndPoint(IPAddress.Loopback, 0),
            Credentials = [credentials],
            DefaultBucket = defaultBucket,
            Fsync = false,
            S3 = new Tandem.Origin.S3.S3ApiOptions { MaxObjectBytes = maxObjectBytes },
        });
        return new TestOrigin(dir, host, credentials);
    }

    /// <summary>Starts an origin whose website bucket "site" holds <paramref name="bytes"/> under <paramref name="key"/>.</summary>
    public static async Task<TestOrigin> StartWithObjectAsync(string key, byte[] bytes)
    {
        var origin = await StartAsync();
        try
        {
            await origin.CreateWebsiteBucketAsync();
            await origin.PutAsync(key, bytes);
            return origin;
        }
        catch
        {
            await origin.DisposeAsync();
            throw;
        }
    }

    /// <summary>Environment for the AWS CLI: this origin's key, no user config, no metadata lookups.</summary>
    public Dictionary<string, string?> AwsEnvironment(string home) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = Credentials.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = Credentials.SecretAccessKey,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["AWS_CONFIG_FILE"] = Path.Combine(home, "aws-config"),
        ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(home, "aws-credentials"),
        ["AWS_PAGER"] = "",
        ["HOME"] = home,
    };

    public Task<ExternalTool.Result> AwsAsync(string home, params string[] args) =>
        ExternalTool.RunAsync("aws", ["--endpoint-url", S3Url, .. args], AwsEnvironment(home));

    public static string PublicReadPolicyJson(string bucket) =>
        $$"""{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{{bucket}}/*"}]}""";

    /// <summary>Asserts that the website endpoint serves every file of <paramref name="tree"/> byte for byte.</summary>
    public async Task AssertWebsiteServesAsync(IReadOnlyDictionary<string, byte[]> tree, string bucket = "site")
    {
        using var http = new HttpClient();
        foreach (var (key, bytes) in tree)
        {
            var url = $"{WebsiteUrl}/{Tandem.Origin.S3.S3Target.UrlEncode(key, keepSlash: true)}";
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Host = $"{bucket}.localhost";
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {key}: {(int)response.StatusCode}");
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(bytes.AsSpan().SequenceEqual(body), $"GET {key}: {body.Length} bytes differ from the {bytes.Length} uploaded");
        }
    }

    /// <summary>Stops the origin; a second call (a test stopped it, then its rig disposes it) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Host.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>A `tandem origin` child process, so tests can kill -9 or SIGSTOP it for real.</summary>
public sealed partial class OriginProcess : IRunningOrigin, IAsyncDisposable
{
    private readonly Process _process;

    private OriginProcess(Process process, string s3Url, string websiteUrl, string dataDirectory, S3Credentials credentials)
    {
        _process = process;
        S3Url = s3Url;
        WebsiteUrl = websiteUrl;
        DataDirectory = dataDirectory;
        Credentials = credentials;
    }

    public S3Credentials Credentials { get; }

    public string DataDirectory { get; }

    public string S3Url { get; }

    public string WebsiteUrl { get; }

    public int Pid => _process.Id;

    /// <summary>The CLI that the test project builds next to itself.</summary>
    public static string CliPath => Path.Combine(AppContext.BaseDirectory, "tandem.dll");

    public static async Task<OriginProcess> StartAsync(string dataDir, S3Credentials credentials, string s3Listen = "127.0.0.1:0", string websiteListen = "127.0.0.1:0")
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { CliPath, "origin", "--data", dataDir, "--s3-listen", s3Listen, "--website-listen", websiteListen, "--bucket", "site" })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["AWS_ACCESS_KEY_ID"] = credentials.AccessKeyId;
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = credentials.SecretAccessKey;
        var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await process.StandardOutput.ReadLineAsync(cts.Token);
        var match = line is null ? null : ReadyLine().Match(line);
        if (match is null || !match.Success)
        {
            process.Kill(true);
            throw new InvalidOperationException($"origin did not start: {line}\n{await stderr}");
        }

        _ = process.StandardOutput.ReadToEndAsync();
        return new OriginProcess(process, match.Groups["s3"].Value, match.Groups["web"].Value, dataDir, credentials);
    }

    /// <summary>kill -9: no chance to clean up.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>kill -STOP: the kernel still accepts connections for it, and nothing answers them.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>kill -CONT: it answers again, starting with whatever queued up meanwhile.</summary>
    public void Thaw() => Signal("CONT");

    private void Signal(string name)
    {
        using var kill = Process.Start("/bin/kill", ["-" + name, Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{name} {Pid} exited with {kill.ExitCode}");
        }
    }

    /// <summary>A loopback port free right now, for a listener that must keep its port across restarts.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // A stopped process dies of SIGKILL too; thawing first leaves nothing odd behind.
            try
            {
                Signal("CONT");
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }

            _process.Kill(true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"ready: s3 (?<s3>\S+) website (?<web>\S+)")]
    private static partial Regex ReadyLine();
}

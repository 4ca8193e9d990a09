using System.Diagnostics;
using System.Net;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Deploy;

/// <summary>A deploy with an origin killed for real part-way, then run again.</summary>
public sealed class DeployFailureTests
{
    [Fact]
    public async Task Deploy_StandbyKilledPartway_NotLiveAndRerunFinishesWithoutUploadingAgain()
    {
        await OffRunnerThreads.Now;
        int s3Port = OriginProcess.FreePort(), webPort = OriginProcess.FreePort();
        await using var rig = await DeployRig.StartAsync(standbyAsProcess: true, standbyS3Port: s3Port, standbyWebPort: webPort);
        rig.Put("index.html", "<h1>v1</h1>");
        rig.Put("404.html", "<h1>not found</h1>");
        Assert.Equal(0, (await rig.SetupAsync()).Exit);

        rig.Put("index.html", "<h1>v2</h1>");
        rig.PutRandomFiles("pages", 300, seed: 4);
        var (first, firstOutput) = await rig.DeployKillingStandbyAsync(afterFiles: 40);

        Assert.True(first.ExitCode == 1 && !first.Live, firstOutput);
        Assert.Contains("standby: FAILED", firstOutput, StringComparison.Ordinal);
        Assert.Contains("NOT made live", firstOutput, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "<h1>v1</h1>"), await rig.BrowsePrimaryAsync("/"));
        var standbyBefore = first.Origins.Single(o => o.Origin == "standby");

        rig.RestartStandby(await OriginProcess.StartAsync(rig.Dir.Combine("standby-data"), rig.Standby.Credentials, $"127.0.0.1:{s3Port}", $"127.0.0.1:{webPort}"));
        Assert.Equal((HttpStatusCode.OK, "<h1>v1</h1>"), await rig.BrowseStandbyAsync("/"));
        var (second, secondOutput) = await rig.DeployAsync();

        Assert.True(second.ExitCode == 0 && second.Live && second.ReleaseId == first.ReleaseId, secondOutput);
        var primary = second.Origins.Single(o => o.Origin == "primary");
        var standby = second.Origins.Single(o => o.Origin == "standby");
        Assert.True(primary is { Uploaded: 0, Copied: 0, Unchanged: 302 }, secondOutput);
        Assert.True(standby.Unchanged >= 40 && standby.Unchanged >= standbyBefore.Uploaded + standbyBefore.Copied - 16, secondOutput);
        Assert.Equal(302, standby.Uploaded + standby.Copied + standby.Unchanged);
        Assert.Equal((HttpStatusCode.OK, "<h1>v2</h1>"), await rig.BrowseStandbyAsync("/"));
        Assert.Equal((HttpStatusCode.OK, "<h1>v2</h1>"), await rig.BrowsePrimaryAsync("/"));
    }

    [Theory]
    [InlineData("KILL")]
    [InlineData("INT")]
    public async Task Deploy_ProcessSignalledPartway_OldReleaseStaysLiveAndRerunResumes(string signal)
    {
        await OffRunnerThreads.Now;
        await using var rig = await DeployRig.StartAsync();
        rig.Put("index.html", "<h1>v1</h1>");
        Assert.Equal(0, (await rig.SetupAsync()).Exit);
        // Progress is read from the primary's files on disk, not by listing over S3: a listing of
        // thousands of keys is slow enough on a busy machine for the deploy to finish in between.
        var before = FilesUnder(rig.Primary.DataDirectory);
        rig.Put("index.html", "<h1>v2</h1>");
        var rng = new Random(9);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[1000 + rng.Next(1000)];
            rng.NextBytes(bytes);
            rig.Put($"p/{i:D4}.bin", bytes);
        }

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = rig.Dir.Path };
        foreach (var a in new[] { OriginProcess.CliPath, "deploy", "--config", rig.ConfigPath })
        {
            psi.ArgumentList.Add(a);
        }

        using (var deploy = Process.Start(psi)!)
        {
            _ = deploy.StandardOutput.ReadToEndAsync();
            _ = deploy.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (FilesUnder(rig.Primary.DataDirectory) < before + 50)
            {
                Assert.False(deploy.HasExited, "the deploy finished before it could be killed");
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the deploy wrote nothing");
                await Task.Delay(5);
            }

            // SIGKILL: no chance to clean up. SIGINT (Ctrl-C): transfers are cancelled, nothing activated.
            using (var kill = Process.Start("/bin/kill", ["-" + signal, deploy.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
            {
                await kill.WaitForExitAsync();
            }

            await deploy.WaitForExitAsync();
            Assert.Equal(signal == "KILL" ? 137 : 130, deploy.ExitCode);
        }

        Assert.Equal((HttpStatusCode.OK, "<h1>v1</h1>"), await rig.BrowsePrimaryAsync("/"));
        Assert.Equal((HttpStatusCode.OK, "<h1>v1</h1>"), await rig.BrowseStandbyAsync("/"));
        var (again, output) = await rig.DeployAsync();

        Assert.True(again.ExitCode == 0 && again.Live, output);
        Assert.True(again.Origins.Single(o => o.Origin == "primary").Unchanged >= 40, output);
        Assert.Equal((HttpStatusCode.OK, "<h1>v2</h1>"), await rig.BrowsePrimaryAsync("/"));
    }

    [Fact]
    public async Task Deploy_StandbyUnreachable_PrimaryFinishesNotLiveUnlessAllowPartial()
    {
        await OffRunnerThreads.Now;
        await using var rig = await DeployRig.StartAsync();
        rig.Put("index.html", "<h1>v1</h1>");
        Assert.Equal(0, (await rig.SetupAsync()).Exit);
        rig.Put("index.html", "<h1>v2</h1>");
        rig.WriteConfig(standbyS3Url: $"http://127.0.0.1:{OriginProcess.FreePort()}");

        var (strict, strictOutput) = await rig.DeployAsync();
        var livePrimaryAfterStrict = await rig.BrowsePrimaryAsync("/");
        var (partial, partialOutput) = await rig.DeployAsync(new Tandem.Deploy.DeployOptions { AllowPartial = true });

        Assert.True(strict.ExitCode == 1 && !strict.Live, strictOutput);
        Assert.Contains("standby: cannot reach", strictOutput, StringComparison.Ordinal);
        Assert.Contains("primary                  1", strictOutput, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "<h1>v1</h1>"), livePrimaryAfterStrict);
        Assert.True(partial.ExitCode == 1 && partial.Live, partialOutput);
        Assert.True(partial.Origins.Single() is { Origin: "primary", Uploaded: 0, Unchanged: 1 }, partialOutput);
        Assert.Equal((HttpStatusCode.OK, "<h1>v2</h1>"), await rig.BrowsePrimaryAsync("/"));
        Assert.Equal((HttpStatusCode.OK, "<h1>v1</h1>"), await rig.BrowseStandbyAsync("/"));
    }

    private static int FilesUnder(string directory) => Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Count();
}

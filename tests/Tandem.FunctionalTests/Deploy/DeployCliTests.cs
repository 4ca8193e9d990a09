using System.Net;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Deploy;

/// <summary>The deploy verbs as a user runs them: the real tandem executable, its output and exit codes.</summary>
public sealed class DeployCliTests
{
    private static Task<ExternalTool.Result> TandemAsync(DeployRig rig, params string[] args) =>
        ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, .. args, "--config", rig.ConfigPath], workingDirectory: rig.Dir.Path, timeout: TimeSpan.FromMinutes(2));

    [Fact]
    public async Task SetupDeployReleasesRollback_ThroughTheExecutable()
    {
        await using var rig = await DeployRig.StartAsync();
        rig.Put("index.html", "<h1>one</h1>");

        var setup = await TandemAsync(rig, "setup");
        rig.Put("index.html", "<h1>two</h1>");
        var deploy = await TandemAsync(rig, "deploy");
        var releases = await TandemAsync(rig, "releases");
        var rollback = await TandemAsync(rig, "rollback");
        var verify = await TandemAsync(rig, "verify");

        Assert.True(setup.ExitCode == 0, setup.StdOut + setup.StdErr);
        Assert.True(deploy.ExitCode == 0, deploy.StdOut + deploy.StdErr);
        Assert.Contains("uploaded", deploy.StdOut, StringComparison.Ordinal);
        Assert.Equal(2, releases.StdOut.Split('\n').Count(l => l.Contains("primary,standby", StringComparison.Ordinal)));
        Assert.True(rollback.ExitCode == 0, rollback.StdOut + rollback.StdErr);
        Assert.Equal((HttpStatusCode.OK, "<h1>one</h1>"), await rig.BrowseStandbyAsync("/"));
        // The folder now holds "two" while "one" is live: that is drift, and verify says so.
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("different index.html", verify.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_UnknownOriginOrMissingFolder_OneLineAndExitTwo()
    {
        await using var rig = await DeployRig.StartAsync();
        rig.Put("index.html", "x");

        var unknown = await TandemAsync(rig, "deploy", "--origin", "tertiary");
        var missing = await TandemAsync(rig, "deploy", rig.Dir.Combine("nope"));

        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("tandem deploy: unknown origin 'tertiary'; the config has: primary, standby", unknown.StdErr.Trim());
        Assert.Equal(2, missing.ExitCode);
        Assert.Single(missing.StdErr.Trim().Split('\n'));
        Assert.Empty(await DeployRig.KeysAsync(rig.Primary).ContinueWith(t => t.IsFaulted ? [] : t.Result));
    }
}

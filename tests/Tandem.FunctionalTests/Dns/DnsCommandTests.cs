using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Dns;

/// <summary><c>tandem dns</c> as a user runs it: the ready line, dig against it, SIGTERM, and the exit codes for a bad zone and a busy port.</summary>
public sealed class DnsCommandTests
{
    /// <summary>Runs <c>tandem dns NODE</c> with <paramref name="json"/> as tandem.json until it exits.</summary>
    private static async Task<ExternalTool.Result> DnsAsync(string json, string node = "ns1")
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("tandem.json"), json);
        return await ExternalTool.RunAsync("dotnet", [OriginProcess.CliPath, "dns", node], workingDirectory: dir.Path, timeout: TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Dns_FromConfig_AnswersDigAndStopsOnSigterm()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("tandem.json"), DnsRig.ZoneJson(DnsRig.ClosedPort(), intervalMs: 60000));
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.Path };
        foreach (var a in new[] { OriginProcess.CliPath, "dns", "ns1" })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotNull(ready);
        Assert.StartsWith("dns ns1 ready: udp+tcp 127.0.0.1:", ready, StringComparison.Ordinal);
        var endpoint = IPEndPoint.Parse(ready.Split(' ')[4]);

        var reply = await Dig.QueryAsync(endpoint, "www.example.test", "A");
        Assert.Equal("NOERROR", reply.Status);
        Assert.Equal("192.0.2.1", Assert.Single(reply.Answer).Data);

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "tandem dns did not stop on SIGTERM");
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Dns_InvalidZone_ExitsTwoNamingTheRecord()
    {
        var result = await DnsAsync(DnsRig.ZoneJson(9).Replace("\"values\": [\"2001:db8::1\", \"2001:db8::2\"]", "\"values\": [\"2001:db8::1\", \"192.0.2.5\"]", StringComparison.Ordinal));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("$.dns.zones.example.test.records[5].values[1]: (v6 AAAA) '192.0.2.5' is not an IPv6 address", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dns_PortInUse_ExitsThree()
    {
        using var busy = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        busy.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)busy.LocalEndPoint!).Port;
        var result = await DnsAsync(DnsRig.ZoneJson(9).Replace("\"listen\": \"127.0.0.1:0\"", $"\"listen\": \"127.0.0.1:{port}\"", StringComparison.Ordinal));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("$.dns.nodes.ns1.listen", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dns_UnknownNode_ExitsTwoListingTheNodes()
    {
        var result = await DnsAsync(DnsRig.ZoneJson(9), node: "ns9");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no DNS node named 'ns9'; the file has: ns1", result.StdErr, StringComparison.Ordinal);
    }
}

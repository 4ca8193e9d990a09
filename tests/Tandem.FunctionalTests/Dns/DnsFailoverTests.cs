using System.Diagnostics;
using System.Net;

namespace Tandem.FunctionalTests.Dns;

/// <summary>
/// The health endpoint behind a failover set is stopped for real and started again; dig sees the
/// answer move to the secondary within interval × threshold + 1 s, and back after recovery.
/// </summary>
public sealed class DnsFailoverTests
{
    private const int IntervalMs = 1000;
    private const int Threshold = 2;
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds((IntervalMs * Threshold) + 1000);

    [Fact]
    public async Task HealthEndpointStopped_AnswerMovesToSecondaryAndBack()
    {
        await using var health = await HealthTarget.StartAsync();
        await using var dns = await DnsRig.StartAsync(DnsRig.ZoneJson(health.Port, IntervalMs, Threshold));
        Assert.Equal("192.0.2.1", await AddressAsync(dns.Endpoint, "www.example.test"));

        await health.StopAsync();
        var failedOver = await WaitForAsync(dns.Endpoint, "www.example.test", "198.51.100.1");
        Assert.True(failedOver <= Deadline, $"failover took {failedOver.TotalMilliseconds:F0} ms, more than {Deadline.TotalMilliseconds} ms");
        Assert.Equal("198.51.100.1", await AddressAsync(dns.Endpoint, "example.test")); // the apex ALIAS follows
        Assert.False(dns.Health[0].IsHealthy);
        Assert.True(await DnsRig.AnswerCountAsync(dns, "www.example.test A", "secondary 198.51.100.1") > 0);
        var primaryBefore = await DnsRig.AnswerCountAsync(dns, "www.example.test A", "primary 192.0.2.1");

        await health.RestartAsync();
        var recovered = await WaitForAsync(dns.Endpoint, "www.example.test", "192.0.2.1");
        Assert.True(recovered <= Deadline, $"recovery took {recovered.TotalMilliseconds:F0} ms, more than {Deadline.TotalMilliseconds} ms");
        Assert.Equal("192.0.2.1", await AddressAsync(dns.Endpoint, "example.test"));

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(dns.MetricsUrl, "/metrics"));
        Assert.Contains("tandem_dns_health_check_healthy{check=\"primary-edge\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("tandem_dns_health_check_transitions_total{check=\"primary-edge\"} 2", metrics, StringComparison.Ordinal);
        Assert.True(await DnsRig.AnswerCountAsync(dns, "www.example.test A", "primary 192.0.2.1") > primaryBefore);
    }

    [Fact]
    public async Task BothTargetsUnhealthy_AnswersThePrimaryAsRoute53Does()
    {
        await using var health = await HealthTarget.StartAsync();
        await using var dns = await DnsRig.StartAsync(DnsRig.ZoneJson(health.Port, IntervalMs, Threshold));
        Assert.Equal("192.0.2.21", await AddressAsync(dns.Endpoint, "both.example.test"));

        // Both checks probe the stopped endpoint: both regions are down.
        await health.StopAsync();
        var sw = Stopwatch.StartNew();
        while (dns.Health.Any(h => h.IsHealthy) && sw.Elapsed < Deadline * 2)
        {
            await Task.Delay(100);
        }

        Assert.All(dns.Health, h => Assert.False(h.IsHealthy));
        Assert.Equal("192.0.2.21", await AddressAsync(dns.Endpoint, "both.example.test"));
        Assert.Equal("198.51.100.1", await AddressAsync(dns.Endpoint, "www.example.test")); // its secondary has no check
    }

    [Fact]
    public async Task TcpCheckFails_MultivalueDropsThatTargetOnly()
    {
        await using var health = await HealthTarget.StartAsync();
        await using var dns = await DnsRig.StartAsync(DnsRig.ZoneJson(health.Port, IntervalMs, Threshold));
        Assert.Equal(["192.0.2.11", "192.0.2.12"], await AddressesAsync(dns.Endpoint, "pool.example.test"));

        await health.StopAsync();
        var sw = Stopwatch.StartNew();
        while ((await AddressesAsync(dns.Endpoint, "pool.example.test")).Count == 2 && sw.Elapsed < Deadline * 2)
        {
            await Task.Delay(100);
        }

        Assert.True(sw.Elapsed <= Deadline, $"took {sw.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(["192.0.2.12"], await AddressesAsync(dns.Endpoint, "pool.example.test"));
    }

    [Fact]
    public async Task HealthTargetNeverUp_PrimaryStaysWhileTheCheckIsNew_ThenSecondary()
    {
        // Route 53 counts a new check as healthy until enough data says otherwise.
        await using var dns = await DnsRig.StartAsync(DnsRig.ZoneJson(DnsRig.ClosedPort(), IntervalMs, Threshold));
        Assert.Equal("192.0.2.1", await AddressAsync(dns.Endpoint, "www.example.test"));

        var elapsed = await WaitForAsync(dns.Endpoint, "www.example.test", "198.51.100.1");

        Assert.True(elapsed <= Deadline, $"took {elapsed.TotalMilliseconds:F0} ms");
    }

    private static async Task<TimeSpan> WaitForAsync(IPEndPoint server, string name, string expected)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (await AddressAsync(server, name) == expected)
            {
                return sw.Elapsed;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{name} never answered {expected}");
    }

    private static async Task<string> AddressAsync(IPEndPoint server, string name) =>
        Assert.Single(await AddressesAsync(server, name));

    private static async Task<List<string>> AddressesAsync(IPEndPoint server, string name)
    {
        var reply = await Dig.QueryAsync(server, name, "A");
        Assert.Equal("NOERROR", reply.Status);
        return [.. reply.Answer.Where(r => r.Type == "A").Select(r => r.Data).Order(StringComparer.Ordinal)];
    }
}

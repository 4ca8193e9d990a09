using System.Diagnostics;
using System.Text;
using Tandem.Core.Stack;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Origin;

/// <summary>
/// The origin side of `tandem drill`'s 5xx and slow scenarios: a fault file in the data
/// directory changes what the website endpoint answers within a poll interval, never touches the
/// S3 API, and ends when removed or expired.
/// </summary>
public sealed class InjectedFaultTests
{
    [Fact]
    public async Task FaultFile_StatusAnsweredByWebsiteOnly_UntilRemoved()
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("index.html", Encoding.UTF8.GetBytes("<h1>hello</h1>"));
        Assert.Equal(200, (await origin.WebsiteGetAsync("/")).Status);

        new OriginFault { Status = 503, Until = DateTimeOffset.UtcNow.AddMinutes(1) }.Write(origin.DataDirectory);
        var faulted = await WaitForStatusAsync(origin, 503);
        Assert.Contains("fault injected", faulted.Text, StringComparison.Ordinal);

        // The S3 API keeps working: deploys and restores go on during a drill.
        await origin.PutAsync("other.html", Encoding.UTF8.GetBytes("x"));
        await origin.AssertObjectAsync("other.html", Encoding.UTF8.GetBytes("x"));

        OriginFault.Remove(origin.DataDirectory);
        await WaitForStatusAsync(origin, 200);
    }

    [Fact]
    public async Task FaultFile_Delay_HoldsEveryResponse()
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("index.html", Encoding.UTF8.GetBytes("<h1>hello</h1>"));
        new OriginFault { DelayMs = 1500, Until = DateTimeOffset.UtcNow.AddMinutes(1) }.Write(origin.DataDirectory);
        await Task.Delay(InjectedFaultPoll * 3);

        var watch = Stopwatch.StartNew();
        var response = await origin.WebsiteGetAsync("/");
        Assert.Equal(200, response.Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(1400), $"answered after {watch.Elapsed.TotalMilliseconds} ms, before the injected delay");
    }

    [Fact]
    public async Task FaultFile_Expired_IsIgnored()
    {
        await using var origin = await TestOrigin.StartWithObjectAsync("index.html", Encoding.UTF8.GetBytes("<h1>hello</h1>"));
        new OriginFault { Status = 500, Until = DateTimeOffset.UtcNow.AddSeconds(-1) }.Write(origin.DataDirectory);
        await Task.Delay(InjectedFaultPoll * 3);
        Assert.Equal(200, (await origin.WebsiteGetAsync("/")).Status);
    }

    private static readonly TimeSpan InjectedFaultPoll = Tandem.Origin.Website.InjectedFault.PollInterval;

    private static async Task<RawResponse> WaitForStatusAsync(TestOrigin origin, int status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var response = await origin.WebsiteGetAsync("/");
            if (response.Status == status || DateTime.UtcNow > deadline)
            {
                Assert.Equal(status, response.Status);
                return response;
            }

            await Task.Delay(50);
        }
    }
}

using System.Net;
using Tandem.Dns.Zones;

namespace Tandem.Tests.Dns;

public sealed class TargetSelectionTests
{
    private static readonly RoutedTarget Primary = new(IPAddress.Parse("192.0.2.1"), 0, new TargetCounter("www", "primary"));
    private static readonly RoutedTarget Secondary = new(IPAddress.Parse("192.0.2.2"), 1, new TargetCounter("www", "secondary"));
    private static readonly RoutedTarget Unchecked = new(IPAddress.Parse("192.0.2.3"), -1, new TargetCounter("www", "unchecked"));

    [Theory]
    [InlineData(true, true, "192.0.2.1")]
    [InlineData(true, false, "192.0.2.1")]
    [InlineData(false, true, "192.0.2.2")]
    [InlineData(false, false, "192.0.2.1")] // both down: the primary, as Route 53 answers
    public void Select_Failover_FollowsRoute53(bool primaryHealthy, bool secondaryHealthy, string expected)
    {
        var chosen = TargetSelection.Select(RoutingPolicy.Failover, [Primary, Secondary], [primaryHealthy, secondaryHealthy]);

        Assert.Equal(expected, Assert.Single(chosen).Address.ToString());
    }

    [Fact]
    public void Select_FailoverWithUncheckedSecondary_AnswersItWhenThePrimaryIsDown()
    {
        var chosen = TargetSelection.Select(RoutingPolicy.Failover, [Primary, Unchecked], [false, false]);

        Assert.Same(Unchecked, Assert.Single(chosen));
    }

    [Fact]
    public void Select_Multivalue_AnswersEveryHealthyTarget()
    {
        Assert.Equal([Primary, Unchecked], TargetSelection.Select(RoutingPolicy.Multivalue, [Primary, Secondary, Unchecked], [true, false]));
        Assert.Equal([Secondary], TargetSelection.Select(RoutingPolicy.Multivalue, [Primary, Secondary], [false, true]));
    }

    [Fact]
    public void Select_MultivalueAllDown_AnswersEveryTarget()
    {
        Assert.Equal([Primary, Secondary], TargetSelection.Select(RoutingPolicy.Multivalue, [Primary, Secondary], [false, false]));
    }
}

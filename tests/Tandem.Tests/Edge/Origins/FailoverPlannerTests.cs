using Tandem.Edge.Origins;

namespace Tandem.Tests.Edge.Origins;

public class FailoverPlannerTests
{
    [Theory]
    [InlineData(new[] { true, true }, new[] { 0, 1 })]
    [InlineData(new[] { false, true }, new[] { 1 })]
    [InlineData(new[] { true, false }, new[] { 0 })]
    [InlineData(new[] { false, true, true }, new[] { 1, 2 })]
    [InlineData(new[] { true, false, true }, new[] { 0, 2 })]
    [InlineData(new[] { false, false }, new[] { 0, 1 })]
    [InlineData(new[] { false, false, false }, new[] { 0, 1, 2 })]
    [InlineData(new[] { false }, new[] { 0 })]
    [InlineData(new bool[0], new int[0])]
    public void Plan_Retryable_HealthyInOrderElseAll(bool[] healthy, int[] expected)
    {
        Assert.Equal(expected, FailoverPlanner.Plan(healthy, retryable: true));
    }

    [Theory]
    [InlineData(new[] { true, true }, new[] { 0 })]
    [InlineData(new[] { false, true }, new[] { 1 })]
    [InlineData(new[] { false, false, true }, new[] { 2 })]
    [InlineData(new[] { false, false }, new[] { 0 })]
    [InlineData(new bool[0], new int[0])]
    public void Plan_NotRetryable_FirstHealthyElseFirst(bool[] healthy, int[] expected)
    {
        Assert.Equal(expected, FailoverPlanner.Plan(healthy, retryable: false));
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("HEAD", true)]
    [InlineData("OPTIONS", true)]
    [InlineData("POST", false)]
    [InlineData("PUT", false)]
    [InlineData("PATCH", false)]
    [InlineData("DELETE", false)]
    public void IsRetryable_Method_OnlyCloudFrontsFailoverMethods(string method, bool expected)
    {
        Assert.Equal(expected, FailoverPlanner.IsRetryable(new HttpMethod(method)));
    }
}

using Tandem.Drill;

namespace Tandem.Tests.Drill;

public class DnsMovementTests
{
    private static readonly DnsWatch Watch = new("www.example.test", "127.0.0.1", 5353, "127.0.0.2", DetectMs: 2000);

    private static List<DnsObservation> Answers(params (double At, string Answer)[] list) => list.Select(a => new DnsObservation(a.At, a.Answer)).ToList();

    [Fact]
    public void MovedAndBack_TimesFromInjectAndRestore()
    {
        var observations = Answers((0, "127.0.0.1"), (1000, "127.0.0.1"), (3500, "127.0.0.2"), (9000, "127.0.0.2"), (12500, "127.0.0.1"));

        var move = DnsMovement.Describe(observations, Watch, t0: 1000, t1: 9000, outageMs: 8000);

        Assert.Equal(2500, move.MovedAfterMs);
        Assert.Equal(3500, move.BackAfterMs);
        Assert.False(move.Failed);
        Assert.Equal("DNS www.example.test: 127.0.0.1 → 127.0.0.2 after 2.5 s, back to 127.0.0.1 3.5 s after the restore", move.Note);
        Assert.True(DnsMovement.MovedAndBack(observations, Watch, 1000, 9000));
    }

    [Fact]
    public void MovedButNotBack_Fails()
    {
        var observations = Answers((0, "127.0.0.1"), (3000, "127.0.0.2"), (20000, "127.0.0.2"));

        var move = DnsMovement.Describe(observations, Watch, 1000, 9000, 8000);

        Assert.True(move.Failed);
        Assert.Null(move.BackAfterMs);
        Assert.False(DnsMovement.MovedAndBack(observations, Watch, 1000, 9000));
    }

    [Fact]
    public void NeverMoved_NoteWhenTheOutageWasShorterThanTheHealthCheckNeeds_FailureOtherwise()
    {
        var observations = Answers((0, "127.0.0.1"), (2000, "127.0.0.1"), (4000, "127.0.0.1"));

        var shortOutage = DnsMovement.Describe(observations, Watch, 1000, 2500, outageMs: 1500);
        var longOutage = DnsMovement.Describe(observations, Watch, 1000, 9000, outageMs: 8000);

        Assert.False(shortOutage.Failed);
        Assert.Contains("stayed 127.0.0.1", shortOutage.Note, StringComparison.Ordinal);
        Assert.True(longOutage.Failed);
        Assert.True(DnsMovement.MovedAndBack(observations, Watch, 1000, 9000));
    }

    [Fact]
    public void SecondaryAmongSeveralAddresses_CountsAsMoved()
    {
        var observations = Answers((0, "127.0.0.1"), (2000, "127.0.0.2, 127.0.0.3"), (9500, "127.0.0.1"));

        var move = DnsMovement.Describe(observations, Watch, 1000, 9000, 8000);

        Assert.Equal(1000, move.MovedAfterMs);
        Assert.Equal(500, move.BackAfterMs);
    }
}

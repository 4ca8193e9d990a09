using System.Text;
using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

public class Utf8KeyComparerTests
{
    [Fact]
    public void Compare_SupplementaryCharacterAndReplacementCharacter_FollowsUtf8NotUtf16()
    {
        // U+1F600 is F0 9F 98 80 in UTF-8, U+FFFD is EF BF BD: the emoji sorts last. In UTF-16
        // the emoji starts with 0xD83D, which sorts before 0xFFFD.
        Assert.True(string.CompareOrdinal("\U0001F600", "\uFFFD") < 0);
        Assert.True(Utf8KeyComparer.Instance.Compare("\U0001F600", "\uFFFD") > 0);
        Assert.True(Utf8KeyComparer.Instance.Compare("\uE000", "\U00010000") < 0);
    }

    [Fact]
    public void Compare_DashBeforeSlash_SortsDir2BeforeDir()
    {
        Assert.True(Utf8KeyComparer.Instance.Compare("dir-2/", "dir/") < 0);
        Assert.True(Utf8KeyComparer.Instance.Compare("dir-2/x", "dir/x") < 0);
    }

    [Theory]
    [InlineData("a", "a", 0)]
    [InlineData("a", "ab", -1)]
    [InlineData("ab", "a", 1)]
    [InlineData("", "a", -1)]
    [InlineData("Z", "a", -1)]
    [InlineData("é", "z", 1)]
    public void Compare_SimplePairs_MatchesByteOrder(string x, string y, int sign) =>
        Assert.Equal(sign, Math.Sign(Utf8KeyComparer.Instance.Compare(x, y)));

    [Fact]
    public void Compare_RandomStrings_AgreesWithComparingUtf8Bytes()
    {
        string[] alphabet = ["a", "b", "/", "-", "é", "€", "\uD7FF", "\uE000", "\uFFFD", "\uFFFF", "😀", "𐀀", "\U0010FFFF"];
        var random = new Random(1234);
        string Next() => string.Concat(Enumerable.Range(0, random.Next(0, 6)).Select(_ => alphabet[random.Next(alphabet.Length)]));

        for (var i = 0; i < 20_000; i++)
        {
            var (x, y) = (Next(), Next());
            var expected = Math.Sign(Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));
            Assert.True(expected == Math.Sign(Utf8KeyComparer.Instance.Compare(x, y)), $"'{x}' vs '{y}'");
        }
    }
}

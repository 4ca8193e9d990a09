using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

public class ObjectKeysTests
{
    [Theory]
    [InlineData("index.html")]
    [InlineData("with space.txt")]
    [InlineData("a+b&c=d")]
    [InlineData("café/é.txt")]
    [InlineData("say \"hi\" it's")]
    [InlineData("back\\slash")]
    [InlineData("emoji 🎉.png")]
    [InlineData("deep/a/b/c/d/e/f/g.txt")]
    [InlineData("dir/")]
    [InlineData("/leading")]
    [InlineData("a//b")]
    [InlineData("...")]
    [InlineData(".hidden/..x/x..")]
    [InlineData("%2e%2e/encoded")]
    public void Problem_ValidKey_IsNull(string key) => Assert.Null(ObjectKeys.Problem(key));

    [Fact]
    public void Problem_KeyOfExactly1024Utf8Bytes_IsNull()
    {
        var key = new string('é', 512); // 2 bytes each
        Assert.Null(ObjectKeys.Problem(key));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("./x")]
    [InlineData("../x")]
    [InlineData("a/../b")]
    [InlineData("a/.")]
    [InlineData("a/..")]
    [InlineData("a\0b")]
    [InlineData("line\nbreak")]
    [InlineData("tab\there")]
    [InlineData("\u001f")]
    public void Problem_UnusableKey_IsInvalidArgument(string key)
    {
        var problem = ObjectKeys.Problem(key);
        Assert.NotNull(problem);
        Assert.Equal("InvalidArgument", problem.Code);
        Assert.Equal(400, problem.Status);
    }

    [Fact]
    public void Problem_UnpairedSurrogate_IsInvalidArgument()
    {
        // Not theory data: xunit's serialisation of test cases would replace lone surrogates.
        foreach (var key in new[] { "lone \ud800 surrogate", "reversed \udc00\ud800 pair", "end \ud83d" })
        {
            Assert.Equal("InvalidArgument", ObjectKeys.Problem(key)?.Code);
        }
    }

    [Theory]
    [InlineData(1025, 'a')]
    [InlineData(342, '€')] // 3 bytes each: 1026
    [InlineData(513, 'é')]
    public void Problem_KeyOver1024Utf8Bytes_IsKeyTooLong(int count, char c)
    {
        var problem = ObjectKeys.Problem(new string(c, count));
        Assert.NotNull(problem);
        Assert.Equal("KeyTooLongError", problem.Code);
        Assert.Equal(400, problem.Status);
    }

    [Fact]
    public void Problem_SupplementaryCharactersOver1024Bytes_IsKeyTooLong()
    {
        Assert.Null(ObjectKeys.Problem(string.Concat(Enumerable.Repeat("😀", 256)))); // 4 bytes each: 1024
        Assert.Equal("KeyTooLongError", ObjectKeys.Problem(string.Concat(Enumerable.Repeat("😀", 257)))?.Code);
    }

    [Fact]
    public void Problem_KeyTooLong_NamesItsStartWithoutSplittingACharacter()
    {
        var problem = ObjectKeys.Problem("a" + string.Concat(Enumerable.Repeat("😀", 256)));

        Assert.Equal("a" + string.Concat(Enumerable.Repeat("😀", 31)) + "...", problem?.Resource);
    }
}

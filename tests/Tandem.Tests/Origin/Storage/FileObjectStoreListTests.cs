using System.Text;
using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

public class FileObjectStoreListTests
{
    [Fact]
    public async Task List_MixedKeys_AreInUtf8ByteOrder()
    {
        using var context = new StoreTestContext();
        string[] keys = ["\U0001F600", "dir/x", "\uFFFD", "é", "dir-2/x", "b", "Z", "a", "\uE000"];
        foreach (var key in keys)
        {
            await context.PutAsync(key, key);
        }

        var listed = context.Store.List(StoreTestContext.Bucket, new ListRequest()).Objects.Select(o => o.Key);

        // Written out rather than computed: 'Z' < 'a', '-' < '/', and U+1F600 (F0 ..) after
        // U+FFFD (EF BF BD) although its UTF-16 form (D83D ..) sorts before it.
        Assert.Equal(["Z", "a", "b", "dir-2/x", "dir/x", "é", "\uE000", "\uFFFD", "\U0001F600"], listed);
    }

    [Fact]
    public async Task List_Delimiter_RollsUpCommonPrefixesInOrder()
    {
        using var context = await WithKeys("a.txt", "dir/a", "dir/b", "dir/sub/c", "dir-2/x", "z");

        var page = context.Store.List(StoreTestContext.Bucket, new ListRequest { Delimiter = "/" });

        Assert.Equal(["a.txt", "z"], page.Objects.Select(o => o.Key));
        Assert.Equal(["dir-2/", "dir/"], page.CommonPrefixes);
        Assert.False(page.IsTruncated);
        Assert.Null(page.NextAfter);
    }

    [Fact]
    public async Task List_PrefixAndDelimiter_ListsOneLevel()
    {
        using var context = await WithKeys("dir", "dir/", "dir/a", "dir/b", "dir/sub/c", "dir/sub/d", "dir-2/x", "dirt");

        var page = context.Store.List(StoreTestContext.Bucket, new ListRequest { Prefix = "dir/", Delimiter = "/" });

        Assert.Equal(["dir/", "dir/a", "dir/b"], page.Objects.Select(o => o.Key));
        Assert.Equal(["dir/sub/"], page.CommonPrefixes);
    }

    [Fact]
    public async Task List_MaxKeysCountsPrefixesAndObjects_PagesMergedEntries()
    {
        using var context = await WithKeys("a.txt", "dir/a", "dir/b", "dir-2/x", "z");

        var first = context.Store.List(StoreTestContext.Bucket, new ListRequest { Delimiter = "/", MaxKeys = 2 });
        var second = context.Store.List(StoreTestContext.Bucket, new ListRequest { Delimiter = "/", MaxKeys = 2, After = first.NextAfter });

        Assert.Equal(["a.txt"], first.Objects.Select(o => o.Key));
        Assert.Equal(["dir-2/"], first.CommonPrefixes);
        Assert.True(first.IsTruncated);
        Assert.Equal("dir-2/", first.NextAfter);
        Assert.Equal(["z"], second.Objects.Select(o => o.Key));
        Assert.Equal(["dir/"], second.CommonPrefixes);
        Assert.False(second.IsTruncated);
    }

    [Fact]
    public async Task List_AfterCommonPrefixOrAKeyUnderIt_SkipsEveryKeyUnderIt()
    {
        using var context = await WithKeys("dir/a", "dir/b", "dir/c", "e");

        var afterPrefix = context.Store.List(StoreTestContext.Bucket, new ListRequest { Delimiter = "/", After = "dir/" });
        var afterKeyInside = context.Store.List(StoreTestContext.Bucket, new ListRequest { Delimiter = "/", After = "dir/a" });
        var withoutDelimiter = context.Store.List(StoreTestContext.Bucket, new ListRequest { After = "dir/" });

        Assert.Equal(["e"], afterPrefix.Objects.Select(o => o.Key));
        Assert.Empty(afterPrefix.CommonPrefixes);
        Assert.Equal(["e"], afterKeyInside.Objects.Select(o => o.Key));
        Assert.Empty(afterKeyInside.CommonPrefixes);
        Assert.Equal(["dir/a", "dir/b", "dir/c", "e"], withoutDelimiter.Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task List_AfterBeforePrefix_StartsAtPrefix()
    {
        using var context = await WithKeys("a", "m/1", "m/2", "z");

        var page = context.Store.List(StoreTestContext.Bucket, new ListRequest { Prefix = "m/", After = "b" });

        Assert.Equal(["m/1", "m/2"], page.Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task List_MaxKeysZero_IsEmptyAndNotTruncated()
    {
        using var context = await WithKeys("a");

        var page = context.Store.List(StoreTestContext.Bucket, new ListRequest { MaxKeys = 0 });

        Assert.Empty(page.Objects);
        Assert.False(page.IsTruncated);
    }

    [Fact]
    public async Task List_ExactlyMaxKeysEntries_IsNotTruncated()
    {
        using var context = await WithKeys("a", "b", "c");

        var page = context.Store.List(StoreTestContext.Bucket, new ListRequest { MaxKeys = 3 });

        Assert.Equal(3, page.Objects.Count);
        Assert.False(page.IsTruncated);
        Assert.Null(page.NextAfter);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("", "/")]
    [InlineData("site/", "/")]
    [InlineData("site/b", "/")]
    [InlineData("", "-")]
    public async Task List_PagesOfSeven_ConcatenateToTheFullListing(string prefix, string? delimiter)
    {
        using var context = new StoreTestContext();
        var keys = HundredsOfKeys();
        foreach (var key in keys)
        {
            await context.PutAsync(key, "");
        }

        var full = context.Store.List(StoreTestContext.Bucket, new ListRequest { Prefix = prefix, Delimiter = delimiter });
        var paged = new List<string>();
        string? after = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 1000, "paging does not end");
            var page = context.Store.List(StoreTestContext.Bucket, new ListRequest { Prefix = prefix, Delimiter = delimiter, MaxKeys = 7, After = after });
            var entries = Merge(page);
            Assert.InRange(entries.Count, page.IsTruncated ? 7 : 0, 7);
            paged.AddRange(entries);
            if (!page.IsTruncated)
            {
                break;
            }

            Assert.Equal(entries[^1], page.NextAfter);
            after = page.NextAfter;
        }

        Assert.False(full.IsTruncated);
        Assert.Equal(Merge(full), paged);
        Assert.Equal(Reference(keys, prefix, delimiter), paged);
    }

    private static async Task<StoreTestContext> WithKeys(params string[] keys)
    {
        var context = new StoreTestContext();
        foreach (var key in keys)
        {
            await context.PutAsync(key, key);
        }

        return context;
    }

    // A site-like tree: folders, a folder and a file of the same name, dashes next to slashes.
    private static List<string> HundredsOfKeys()
    {
        var random = new Random(7);
        string[] parts = ["a", "b", "b-2", "dir", "dir-2", "é", "x y", "😀", "\uFFFD"];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (keys.Count < 400)
        {
            var depth = random.Next(1, 4);
            var key = "site/" + string.Join("/", Enumerable.Range(0, depth).Select(_ => parts[random.Next(parts.Length)]));
            keys.Add(random.Next(5) == 0 ? key + "/" : key + ".html");
        }

        keys.Add("site");
        keys.Add("top.txt");
        return [.. keys];
    }

    private static List<string> Merge(ListPage page) =>
        [.. page.Objects.Select(o => o.Key).Concat(page.CommonPrefixes).Order(Utf8Bytes.Comparer)];

    // The listing worked out the slow way: sort by UTF-8 bytes, roll up, keep the first of each prefix.
    private static List<string> Reference(IEnumerable<string> keys, string prefix, string? delimiter)
    {
        var entries = new List<string>();
        foreach (var key in keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(Utf8Bytes.Comparer))
        {
            var at = delimiter is null ? -1 : key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            var entry = at < 0 ? key : key[..(at + delimiter!.Length)];
            if (entries.Count == 0 || entries[^1] != entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    private static class Utf8Bytes
    {
        public static readonly Comparer<string> Comparer = Comparer<string>.Create((x, y) =>
            Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y)));
    }
}

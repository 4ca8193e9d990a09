using System.Text;
using Tandem.Origin.Storage;

namespace Tandem.Tests.Origin.Storage;

public class SortedObjectListTests
{
    [Fact]
    public void SetAndRemove_ThousandsOfRandomChanges_StaySortedAndMatchReference()
    {
        var random = new Random(42);
        var reference = new SortedDictionary<string, ObjectInfo>(Utf8KeyComparer.Instance);
        var initial = Enumerable.Range(0, 700).Select(i => Info($"k{random.Next(5000)}")).DistinctBy(o => o.Key).ToList();
        foreach (var o in initial)
        {
            reference[o.Key] = o;
        }

        var list = new SortedObjectList(initial);
        for (var i = 0; i < 10_000; i++)
        {
            var key = $"k{random.Next(5000)}" + (random.Next(4) == 0 ? "é😀" : "");
            if (random.Next(3) == 0)
            {
                Assert.Equal(reference.Remove(key), list.Remove(key));
            }
            else
            {
                var info = Info(key, size: i);
                Assert.Equal(!reference.ContainsKey(key), list.Set(info));
                reference[key] = info;
            }
        }

        Assert.Equal(reference.Count, list.Count);
        Assert.Equal(reference.Values, list.Enumerate());
        var keys = list.Enumerate().Select(o => Encoding.UTF8.GetBytes(o.Key)).ToList();
        for (var i = 1; i < keys.Count; i++)
        {
            Assert.True(keys[i - 1].AsSpan().SequenceCompareTo(keys[i]) < 0);
        }
    }

    [Fact]
    public void Seek_InclusiveAndExclusive_FindsFirstKeyAtOrAfter()
    {
        var list = new SortedObjectList(Infos("a", "b", "d"));

        Assert.Equal("b", list.At(list.Seek("b", inclusive: true))?.Key);
        Assert.Equal("d", list.At(list.Seek("b", inclusive: false))?.Key);
        Assert.Equal("d", list.At(list.Seek("c", inclusive: true))?.Key);
        Assert.Null(list.At(list.Seek("d", inclusive: false)));
    }

    [Fact]
    public void SeekPastPrefix_KeysUnderPrefix_SkipsAllOfThem()
    {
        var list = new SortedObjectList(Infos("dir-2/x", "dir/", "dir/a", "dir/z/z", "dir0", "e"));

        Assert.Equal("dir0", list.At(list.SeekPastPrefix("dir/"))?.Key);
        Assert.Equal("dir/", list.At(list.SeekPastPrefix("dir-"))?.Key);
        Assert.Null(list.At(list.SeekPastPrefix("e")));
    }

    [Fact]
    public void Next_AcrossChunks_VisitsEveryObjectOnce()
    {
        var keys = Enumerable.Range(0, 3000).Select(i => $"key{i:D5}").ToList();
        var list = new SortedObjectList(keys.Select(k => Info(k)));
        var seen = new List<string>();
        for (var p = list.Seek("", inclusive: true); list.At(p) is { } info; p = list.Next(p))
        {
            seen.Add(info.Key);
        }

        Assert.Equal(keys, seen);
    }

    private static IEnumerable<ObjectInfo> Infos(params string[] keys) => keys.Select(k => Info(k));

    private static ObjectInfo Info(string key, long size = 0) =>
        new() { Key = key, Size = size, ETag = "e", LastModified = DateTimeOffset.UnixEpoch };
}

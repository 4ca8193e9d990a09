using Tandem.Core.Releases;
using Tandem.Deploy.Planning;

namespace Tandem.Tests.Deploy;

public sealed class DeployPlannerTests
{
    private static ReleaseFile File(string path, string md5, string type = "text/html") =>
        new() { Path = path, Md5 = md5, Size = 4, ETag = $"\"{md5}\"", ContentType = type };

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Plan_SortsFilesIntoPresentCopyAndUpload()
    {
        var files = new[] { File("a", "aa"), File("b", "bb"), File("c", "cc") };
        var state = new OriginState
        {
            Origin = "primary",
            LiveId = "000000000001",
            NewReleaseObjects = new Dictionary<string, string> { ["a"] = "\"aa\"", ["stray"] = "\"zz\"" },
            CopySources = new Dictionary<string, string> { ["\"bb\""] = "releases/000000000001/b" },
        };

        var plan = DeployPlanner.Plan(files, "00000000000f", state, "", 5);

        Assert.Equal(1, plan.Present);
        Assert.Equal(("b", "releases/000000000001/b"), (plan.Copies.Single().File.Path, plan.Copies.Single().SourceKey));
        Assert.Equal("c", plan.Uploads.Single().Path);
        Assert.Equal(["releases/00000000000f/stray"], plan.Extra);
        Assert.True(plan.WriteManifest);
    }

    [Fact]
    public void Plan_WholeReleaseAlreadyThere_NothingToWrite()
    {
        var files = new[] { File("a", "aa") };
        var state = new OriginState
        {
            Origin = "primary",
            NewReleaseObjects = new Dictionary<string, string> { ["a"] = "\"AA\"" },
            Releases = [new ReleaseOnOrigin("00000000000f", T0, Whole: true)],
        };

        Assert.True(DeployPlanner.Plan(files, "00000000000f", state, "", 5).NothingToWrite);
    }

    [Fact]
    public void Plan_MultipartSource_UploadedRatherThanCopied()
    {
        var big = File("big", "aa") with { ETag = "\"abc-3\"" };
        var state = new OriginState { Origin = "p", CopySources = new Dictionary<string, string> { ["\"abc-3\""] = "releases/x/big" } };

        var plan = DeployPlanner.Plan([big], "00000000000f", state, "", 5);

        Assert.Empty(plan.Copies);
        Assert.Single(plan.Uploads);
    }

    [Fact]
    public void Prune_KeepsNewestWholeReleasesLiveAndNew_DropsPartials()
    {
        var releases = new[]
        {
            new ReleaseOnOrigin("000000000001", T0, true),
            new ReleaseOnOrigin("000000000002", T0.AddDays(1), true),
            new ReleaseOnOrigin("000000000003", T0.AddDays(2), true),
            new ReleaseOnOrigin("000000000004", T0.AddDays(3), true),
            new ReleaseOnOrigin("0000000000aa", DateTimeOffset.MinValue, false),
            new ReleaseOnOrigin("00000000000f", DateTimeOffset.MinValue, false),
        };

        var prune = DeployPlanner.Prune(releases, newId: "00000000000f", liveId: "000000000001", keepReleases: 3);

        // Kept: new (f), live (1), and the newest other whole one (4).
        Assert.Equal(["000000000002", "000000000003", "0000000000aa"], prune);
    }

    [Fact]
    public void ReleaseFiles_DeleteFalse_CarriesLiveFilesTheFolderLacks()
    {
        var live = new ReleaseManifest { Id = "000000000001", Created = T0, Files = [File("a", "old"), File("gone", "gg")] };

        var kept = DeployPlanner.ReleaseFiles([File("a", "new")], live, delete: false);
        var deleted = DeployPlanner.ReleaseFiles([File("a", "new")], live, delete: true);

        Assert.Equal([("a", "new"), ("gone", "gg")], kept.Select(f => (f.Path, f.Md5)));
        Assert.Single(deleted);
    }

    [Fact]
    public void ComputeId_SameContentSameId_HeaderChangeNewId()
    {
        var a = ReleaseLayout.ComputeId([File("a", "aa"), File("b", "bb")]);
        var b = ReleaseLayout.ComputeId([File("b", "bb"), File("a", "aa")]);
        var c = ReleaseLayout.ComputeId([File("a", "aa"), File("b", "bb", "text/plain")]);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.True(ReleaseLayout.IsReleaseId(a));
    }

    [Fact]
    public void Invalidation_ChangedAddedRemoved_WithFolderUrlsForIndexDocuments()
    {
        var before = new ReleaseManifest { Id = "000000000001", Created = T0, Files = [File("index.html", "1"), File("blog/index.html", "1"), File("old.txt", "1"), File("same.css", "1")] };
        var after = new ReleaseManifest { Id = "000000000002", Created = T0, Files = [File("index.html", "2"), File("blog/index.html", "2"), File("new.txt", "1"), File("same.css", "1")] };

        var paths = InvalidationPaths.Compute(before, after, "index.html", 20);

        Assert.Equal(["/", "/blog/", "/blog/index.html", "/index.html", "/new.txt", "/old.txt"], paths);
        Assert.Equal(["/*"], InvalidationPaths.Compute(null, after, "index.html", 20));
    }

    [Fact]
    public void Fold_PastThreshold_WildcardsPerTopFolderThenEverything()
    {
        var paths = new[] { "/a.txt", "/blog/1.html", "/blog/2.html", "/blog/x/3.html", "/css/a.css", "/css/b.css" };

        Assert.Equal(paths, InvalidationPaths.Fold(paths, 6));
        Assert.Equal(["/a.txt", "/blog/*", "/css/*"], InvalidationPaths.Fold(paths, 3));
        Assert.Equal(["/*"], InvalidationPaths.Fold(paths, 2));
    }
}

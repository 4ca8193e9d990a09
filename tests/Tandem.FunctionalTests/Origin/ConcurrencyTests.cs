using System.Net;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Origin;

/// <summary>Same-key writers race and readers read while a key is overwritten: every outcome is one whole version.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task PutObject_16ConcurrentWritersOfOneKey_EndsWithExactlyOneWholeBody()
    {
        await using var origin = await TestOrigin.StartAsync();
        await origin.CreateWebsiteBucketAsync();
        using var s3 = origin.Client();

        // Different lengths as well as different bytes, so no mix of two could pass for one.
        var bodies = Enumerable.Range(0, 16).Select(i => RandomNumberGenerator.GetBytes((256 * 1024) + (i * 1000))).ToArray();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var puts = bodies.Select(async body =>
        {
            await start.Task;
            return await s3.PutObjectAsync(new PutObjectRequest { BucketName = "site", Key = "race.bin", InputStream = new MemoryStream(body) });
        }).ToList();
        start.SetResult();
        var responses = await Task.WhenAll(puts);

        Assert.Equal(bodies.Select(b => $"\"{RunningOriginExtensions.Md5(b)}\"").Order(), responses.Select(r => r.ETag).Order());
        var stored = origin.Host.Store.GetObjectInfo("site", "race.bin");
        Assert.NotNull(stored);
        var winner = Assert.Single(bodies, b => RunningOriginExtensions.Md5(b) == stored.ETag);
        await origin.AssertObjectAsync("race.bin", winner);
        var website = await origin.WebsiteGetAsync("/race.bin");
        Assert.Equal(winner, website.Body);
        await origin.AssertNoTempFilesAsync();
    }

    [Fact]
    public async Task WebsiteGet_32ReadersDuringOverwrites_EveryBodyMatchesItsETag()
    {
        await using var origin = await TestOrigin.StartAsync();
        await origin.CreateWebsiteBucketAsync();
        var versions = Enumerable.Range(0, 6).Select(i => RandomNumberGenerator.GetBytes((512 * 1024) + (i * 4096))).ToArray();
        var known = versions.Select(v => $"\"{RunningOriginExtensions.Md5(v)}\"").ToHashSet();
        await origin.PutAsync("hot.bin", versions[0]);

        using var cts = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            try
            {
                for (var i = 1; i <= 40; i++)
                {
                    await origin.PutAsync("hot.bin", versions[i % versions.Length]);
                }
            }
            finally
            {
                await cts.CancelAsync();
            }
        });

        using var http = new HttpClient();
        var readers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            do
            {
                using var response = await http.GetAsync(origin.WebsiteUrl + "/hot.bin");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var body = await response.Content.ReadAsByteArrayAsync();
                var etag = response.Headers.ETag!.Tag;
                Assert.Contains(etag, known);
                Assert.Equal(etag, $"\"{RunningOriginExtensions.Md5(body)}\"");
                reads++;
            }
            while (!cts.IsCancellationRequested);
            return reads;
        }));
        var counts = await Task.WhenAll(readers);
        await writer;

        Assert.All(counts, c => Assert.True(c > 0));
        await origin.AssertObjectAsync("hot.bin", versions[40 % versions.Length]);
        await origin.AssertNoTempFilesAsync();
    }
}

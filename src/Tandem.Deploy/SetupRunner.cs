using System.Text.Json;
using Tandem.Core.Configuration;
using Tandem.Deploy.Origins;

namespace Tandem.Deploy;

/// <summary>
/// <c>tandem setup</c>: on every origin the bucket, website hosting and public-read policy, as
/// the reference setup script does; then a deploy. Every origin is checked first (endpoint,
/// credentials, bucket owned or creatable), and any failure stops it before anything is written.
/// </summary>
public sealed class SetupRunner(LoadedConfig loaded, TextWriter output)
{
    // Origins are worked on in parallel and each reports as it goes: one line at a time.
    private readonly TextWriter _output = TextWriter.Synchronized(output);

    public async Task<int> SetupAsync(CancellationToken cancellationToken)
    {
        var config = loaded.Config;
        using var connections = new ConnectionSet(OriginConnection.OpenAll(loaded, OriginSnapshot.Select(loaded, null)));

        var checks = await Task.WhenAll(connections.Items.Select(async o =>
        {
            try
            {
                await o.CheckCredentialsAsync(cancellationToken);
                return (Origin: o, Exists: await o.BucketExistsAsync(cancellationToken), Error: (string?)null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return (Origin: o, Exists: false, Error: o.Describe(ex));
            }
        }));
        if (checks.Any(c => c.Error is not null))
        {
            foreach (var c in checks.Where(c => c.Error is not null))
            {
                _output.WriteLine($"{c.Origin.Name}: {c.Error}");
            }

            _output.WriteLine("setup stopped before writing anything");
            return 1;
        }

        var changed = 0;
        foreach (var (o, exists, _) in checks)
        {
            try
            {
                var did = new List<string>();
                if (!exists)
                {
                    await o.CreateBucketAsync(cancellationToken);
                    did.Add($"created bucket {o.Bucket}");
                }

                // With a release live, the website configuration is the one that serves it.
                var live = exists ? await ReleaseReader.ReadLiveAsync(o, cancellationToken) : null;
                var website = live is null ? WebsiteLayout.Plain(config.Site) : WebsiteLayout.ForRelease(config.Site, o.Prefix, live.Id);
                var current = exists ? await o.GetWebsiteAsync(cancellationToken) : null;
                if (WebsiteLayout.Describe(current) != WebsiteLayout.Describe(website))
                {
                    await o.PutWebsiteAsync(website, cancellationToken);
                    did.Add("turned on website hosting");
                }

                var policy = WebsiteLayout.PublicReadPolicy(o.Bucket);
                var currentPolicy = exists ? await o.GetPolicyAsync(cancellationToken) : null;
                if (!SameJson(currentPolicy, policy))
                {
                    await o.PutPolicyAsync(policy, cancellationToken);
                    did.Add("applied the public-read policy");
                }

                changed += did.Count;
                _output.WriteLine(did.Count == 0
                    ? $"{o.Name}: bucket {o.Bucket}, website hosting and public-read policy already set; nothing changed"
                    : $"{o.Name}: {string.Join(", ", did)}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _output.WriteLine($"{o.Name}: setup FAILED: {o.Describe(ex)}");
                return 1;
            }
        }

        if (changed == 0)
        {
            _output.WriteLine("every origin was already set up");
        }

        return 0;
    }

    private static bool SameJson(string? a, string b)
    {
        if (a is null)
        {
            return false;
        }

        try
        {
            using var x = JsonDocument.Parse(a);
            using var y = JsonDocument.Parse(b);
            return JsonElement.DeepEquals(x.RootElement, y.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

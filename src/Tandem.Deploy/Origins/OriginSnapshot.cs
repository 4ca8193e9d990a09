using Tandem.Core.Configuration;
using Tandem.Core.Releases;
using Tandem.Deploy.Planning;

namespace Tandem.Deploy.Origins;

/// <summary>What an origin holds of Tandem's records, or why it could not be read.</summary>
public sealed record OriginSnapshot(OriginConnection Origin, LivePointer? Live, IReadOnlyList<ReleaseOnOrigin> Releases, string? Error, bool Unreachable)
{
    public bool Ok => Error is null;

    /// <summary>Reads every origin at once; a failure is kept per origin, never thrown.</summary>
    public static async Task<List<OriginSnapshot>> ReadAllAsync(IReadOnlyList<OriginConnection> origins, CancellationToken cancellationToken)
    {
        var tasks = origins.Select(async o =>
        {
            try
            {
                var live = ReleaseReader.ReadLiveAsync(o, cancellationToken);
                var releases = await ReleaseReader.ListReleasesAsync(o, cancellationToken);
                return new OriginSnapshot(o, await live, releases, null, false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new OriginSnapshot(o, null, [], ex is FormatException ? $"{ReleaseLayout.LiveKey(o.Prefix)}: {ex.Message}" : o.Describe(ex), OriginConnection.IsUnreachable(ex));
            }
        });
        return [.. await Task.WhenAll(tasks)];
    }

    /// <summary>The origins named, in config order; an unknown name is a usage error listing the known ones.</summary>
    public static IReadOnlyList<string> Select(LoadedConfig loaded, IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return [.. loaded.Config.Origins.Keys];
        }

        foreach (var n in names)
        {
            if (!loaded.Config.Origins.ContainsKey(n))
            {
                throw new DeployException($"unknown origin '{n}'; the config has: {string.Join(", ", loaded.Config.Origins.Keys)}", 2);
            }
        }

        return [.. loaded.Config.Origins.Keys.Where(names.Contains)];
    }
}

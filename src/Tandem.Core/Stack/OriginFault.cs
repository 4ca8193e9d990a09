using System.Text.Json;

namespace Tandem.Core.Stack;

/// <summary>
/// A fault a drill injects into a Tandem origin's website endpoint: <c>DATADIR/fault.json</c>.
/// The origin checks the file a few times a second; while it is present and not expired, every
/// website response is delayed by <see cref="DelayMs"/> and, when <see cref="Status"/> is set,
/// replaced by that status. The S3 API is not affected (deploys and restores keep working). The
/// expiry means a fault ends by itself even when the drill that set it was killed.
/// </summary>
public sealed record OriginFault
{
    public const string FileName = "fault.json";

    /// <summary>Status answered instead of the real response (500–599), or null for none.</summary>
    public int? Status { get; init; }

    /// <summary>Milliseconds every response is held before it is sent. Default 0.</summary>
    public int DelayMs { get; init; }

    /// <summary>When the fault ends even if nobody removes the file.</summary>
    public required DateTimeOffset Until { get; init; }

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    public void Write(string dataDir) => StackFile.WriteWhole(PathIn(dataDir), this);

    /// <summary>The fault in <paramref name="dataDir"/>, or null when there is none or it cannot be read.</summary>
    public static OriginFault? TryRead(string dataDir)
    {
        try
        {
            return JsonSerializer.Deserialize<OriginFault>(File.ReadAllBytes(PathIn(dataDir)), StackFile.Json);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public static void Remove(string dataDir) => File.Delete(PathIn(dataDir));

    public bool ActiveAt(DateTimeOffset now) => now < Until;
}

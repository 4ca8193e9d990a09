using System.Text.Json;

namespace Tandem.Core.Stack;

/// <summary>
/// A drill's request that the supervisor leave a node alone: <c>STATE/holds/NAME.json</c>. While
/// a hold is present and not expired, the supervisor does not restart the node when it dies;
/// when it expires (a drill that was itself killed never removed it), the supervisor deletes it,
/// sends SIGCONT to a node held "frozen", and restarts a dead one. So every fault a drill injects
/// through the supervisor ends by itself.
/// </summary>
public sealed record NodeHold
{
    public const string FolderName = "holds";

    /// <summary>"down" (killed, do not restart) or "frozen" (SIGSTOPped, SIGCONT on expiry).</summary>
    public required string Kind { get; init; }

    /// <summary>When the hold ends even if nobody removes it.</summary>
    public required DateTimeOffset Until { get; init; }

    /// <summary>Process id of the drill that placed it.</summary>
    public int By { get; init; }

    public static string PathFor(string stateDir, string nodeName) =>
        Path.Combine(stateDir, FolderName, nodeName + ".json");

    public void Write(string stateDir, string nodeName) => StackFile.WriteWhole(PathFor(stateDir, nodeName), this);

    /// <summary>The hold on a node, or null when there is none or the file is unreadable.</summary>
    public static NodeHold? TryRead(string stateDir, string nodeName)
    {
        try
        {
            return JsonSerializer.Deserialize<NodeHold>(File.ReadAllBytes(PathFor(stateDir, nodeName)), StackFile.Json);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public static void Remove(string stateDir, string nodeName) => File.Delete(PathFor(stateDir, nodeName));

    public bool ActiveAt(DateTimeOffset now) => now < Until;
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tandem.Core.Stack;

/// <summary>
/// <c>.tandem/stack.json</c>: what <c>tandem up</c> is running, so scripts and other commands
/// (<c>drill</c>, <c>status</c>, <c>deploy</c> without --config) find the running stack. The
/// supervisor rewrites it (atomically) whenever a node starts, stops or is restarted.
/// </summary>
public sealed record StackFile
{
    /// <summary>Name of the file inside the state folder.</summary>
    public const string FileName = "stack.json";

    /// <summary>The state folder <c>tandem up</c> uses, relative to the current folder.</summary>
    public const string DefaultStateDir = ".tandem";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Format version; 1.</summary>
    public int Version { get; init; } = 1;

    /// <summary>Absolute path of the config file every node was started with.</summary>
    public required string ConfigPath { get; init; }

    /// <summary>Absolute path of the state folder (holds, drills, this file).</summary>
    public required string StateDir { get; init; }

    /// <summary>Process id of the <c>tandem up</c> supervisor.</summary>
    public required int SupervisorPid { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Absolute path of the site folder that <c>up</c> deployed, if it deployed one.</summary>
    public string? SiteRoot { get; init; }

    /// <summary>Where the S3 access keys are: an AWS shared-credentials file and its profiles by origin name.</summary>
    public StackCredentials? Credentials { get; init; }

    /// <summary>File holding the edges' admin API token.</summary>
    public string? AdminTokenFile { get; init; }

    /// <summary>Every node the supervisor runs, in start order.</summary>
    public List<StackNode> Nodes { get; init; } = [];

    /// <summary>The node with this role and name, or null.</summary>
    public StackNode? Find(string role, string name) =>
        Nodes.FirstOrDefault(n => n.Role == role && n.Name == name);

    /// <summary>Path of the stack file in <paramref name="stateDir"/>.</summary>
    public static string PathIn(string stateDir) => System.IO.Path.Combine(stateDir, FileName);

    /// <summary>Reads the stack file, or null when there is none. Throws <see cref="FormatException"/> when it is not valid.</summary>
    public static StackFile? TryRead(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<StackFile>(bytes, Json) ?? throw new FormatException($"{path}: empty");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{path}: not a stack file ({ex.Message})", ex);
        }
    }

    /// <summary>Writes the file whole or not at all (a temporary file renamed over it).</summary>
    public void Write(string path) => WriteWhole(path, this);

    /// <summary>
    /// Writes <paramref name="value"/> as JSON to <paramref name="path"/> whole or not at all: a
    /// temporary file renamed over it, so a reader in another process never sees half a file.
    /// Every file the stack's processes share goes through here.
    /// </summary>
    internal static void WriteWhole<T>(string path, T value)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var temp = path + ".tmp-" + Environment.ProcessId;
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(value, Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// True when the supervisor that wrote this file is still running (a stale file from a
    /// stopped <c>up</c> is not a running stack).
    /// </summary>
    public bool SupervisorAlive()
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(SupervisorPid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>A credentials file and the profile of each origin in it.</summary>
public sealed record StackCredentials
{
    public required string File { get; init; }

    /// <summary>Origin name to profile name.</summary>
    public Dictionary<string, string> Profiles { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>One child process of the supervisor.</summary>
public sealed record StackNode
{
    /// <summary>"origin", "edge", "dns" or "monitor".</summary>
    public required string Role { get; init; }

    /// <summary>The node's name in the config (primary, edge-1, ns1).</summary>
    public required string Name { get; init; }

    /// <summary>Region label of an origin.</summary>
    public string? Region { get; init; }

    /// <summary>Process id while it runs; null while it is down.</summary>
    public int? Pid { get; init; }

    /// <summary>"starting", "running", "restarting", "held" (a drill keeps it down) or "stopped".</summary>
    public string State { get; init; } = "starting";

    /// <summary>How many times the supervisor restarted it.</summary>
    public int Restarts { get; init; }

    /// <summary>Endpoints by kind: s3, website, http, https, admin, dns, metrics.</summary>
    public Dictionary<string, string> Urls { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Data directory of an origin (absolute).</summary>
    public string? DataDir { get; init; }
}

namespace Tandem.Deploy;

/// <summary>
/// A problem the user can fix (a missing folder, a bad link, an unknown origin or release),
/// reported as one line before anything is written. <see cref="ExitCode"/> is 2 for usage errors.
/// </summary>
public sealed class DeployException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

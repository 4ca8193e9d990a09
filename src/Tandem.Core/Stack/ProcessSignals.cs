using System.Runtime.InteropServices;

namespace Tandem.Core.Stack;

/// <summary>
/// POSIX signals to a process by id: SIGTERM for a clean stop, SIGKILL, SIGSTOP and SIGCONT for
/// drills. .NET's Process.Kill only sends SIGKILL, so this calls libc's kill(2) directly.
/// </summary>
public static class ProcessSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigInt = 2;

    // Linux numbers (x86-64 and arm64 alike).
    public const int SigStop = 19;
    public const int SigCont = 18;

    /// <summary>Sends <paramref name="signal"/>; false when the process does not exist (or is not ours).</summary>
    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>True when a process with this id exists (signal 0 probes without sending).</summary>
    public static bool Exists(int pid) => Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM: exists, not ours */;

    // DllImport rather than LibraryImport: the source-generated form needs unsafe code enabled
    // for the whole project, and int arguments marshal the same either way.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

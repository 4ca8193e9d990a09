using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tandem.FunctionalTests.Infrastructure;

/// <summary>
/// Tests send Ctrl-C (SIGINT) to the processes they start and expect them to stop as a user's
/// would. A shell that starts the test run in the background (<c>./test.sh &amp;</c>, a CI step
/// without job control) sets SIGINT to "ignore" for it, and an ignored signal stays ignored
/// across fork and exec, and .NET keeps it so: every `tandem` the tests start would then
/// ignore Ctrl-C. When the test host finds SIGINT ignored, it puts back the default before any
/// test starts a process.
/// </summary>
internal static class SignalDisposition
{
    private const int SigInt = 2;
    private static readonly IntPtr Default = IntPtr.Zero;
    private static readonly IntPtr Ignore = new(1);

    [ModuleInitializer]
    internal static void RestoreCtrlC()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var previous = Signal(SigInt, Default);
        if (previous != Ignore)
        {
            Signal(SigInt, previous); // the runtime's own handler (or the default): left as it was
        }
    }

    // DllImport as in ProcessSignals: LibraryImport would need unsafe code for the project.
    [DllImport("libc", EntryPoint = "signal")]
    private static extern IntPtr Signal(int signal, IntPtr handler);
}

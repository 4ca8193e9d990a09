namespace Tandem.Core.Hosting;

/// <summary>
/// .NET's socket engine normally hands every completed read and write to the thread pool; with
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> it runs the continuation on the epoll
/// thread itself. Together with Kestrel's inline scheduling that removes two thread hops per
/// request: on one core a Kestrel app serving 10 KB from memory went from 44 000 to 55 000-61 000
/// requests/s (either setting alone was slower than neither). The price is that code on that path
/// must never block, which the edge's request path does not. The variable is read once, when the
/// first socket is made, so <see cref="EnableUnlessSet"/> must run before that.
/// </summary>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on for this process unless the environment already chose (set it to 0 to keep them off).</summary>
    public static void EnableUnlessSet()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }

    /// <summary>True when this process runs socket completions inline (as far as the environment says).</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";
}

using System.Runtime.CompilerServices;

namespace Tandem.FunctionalTests.Infrastructure;

/// <summary>
/// <c>await OffRunnerThreads.Now;</c> moves the rest of a test onto the thread pool. xunit runs
/// parallel tests on a context with as many threads as cores (two here) and posts every
/// continuation back to it, so on a busy machine a test that must act at a moment (send Ctrl-C
/// one second into an outage, signal a deploy part-way) can wait for seconds behind other tests'
/// work. Tests that time a signal or a fault use this; what they assert is unchanged.
/// </summary>
public readonly struct OffRunnerThreads : INotifyCompletion
{
    public static OffRunnerThreads Now => default;

    public OffRunnerThreads GetAwaiter() => this;

    public bool IsCompleted => SynchronizationContext.Current is null && TaskScheduler.Current == TaskScheduler.Default;

    public void OnCompleted(Action continuation) => ThreadPool.QueueUserWorkItem(_ => continuation());

    public void GetResult()
    {
    }
}

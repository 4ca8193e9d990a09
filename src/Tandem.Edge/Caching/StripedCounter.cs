namespace Tandem.Edge.Caching;

/// <summary>
/// A counter that many cores increment at once without fighting over one cache line: each core
/// adds to its own padded cell, and reading sums the cells.
/// </summary>
internal sealed class StripedCounter
{
    // 64-byte cache lines hold 8 longs; one cell per line.
    private const int Stride = 8;

    private readonly long[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        var stripes = (int)Math.Min(64, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _mask = stripes - 1;
        _cells = new long[(stripes + 1) * Stride];
    }

    public void Increment() => Interlocked.Increment(ref _cells[((Thread.GetCurrentProcessorId() & _mask) + 1) * Stride]);

    public long Read()
    {
        long sum = 0;
        for (var i = Stride; i < _cells.Length; i += Stride)
        {
            sum += Volatile.Read(ref _cells[i]);
        }

        return sum;
    }
}

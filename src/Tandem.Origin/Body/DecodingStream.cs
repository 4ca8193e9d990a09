using System.Buffers;

namespace Tandem.Origin.Body;

/// <summary>
/// A read-only, forward-only stream of decoded object bytes over a raw request body. Each
/// decoder implements one read routine used both synchronously and asynchronously, so the two
/// paths cannot drift apart.
/// </summary>
internal abstract class DecodingStream : Stream
{
    protected DecodingStream(Stream raw, BodyHashes hashes, long? declaredLength)
    {
        Raw = raw;
        Hashes = hashes;
        DeclaredLength = declaredLength;
    }

    protected Stream Raw { get; }

    protected BodyHashes Hashes { get; }

    protected long? DeclaredLength { get; }

    /// <summary>True once the body was read to its end and its framing and length checked out.</summary>
    public bool Completed { get; protected set; }

    /// <summary>The trailing checksum header value, when the body had one.</summary>
    public virtual string? TrailerChecksum => null;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Hashes.Length;
        set => throw new NotSupportedException();
    }

    protected abstract ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(buffer, useAsync: true, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadCoreAsync(buffer.AsMemory(offset, count), useAsync: true, cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        // With useAsync false every raw read is synchronous, so the task has completed here.
        var read = ReadCoreAsync(buffer.AsMemory(offset, count), useAsync: false, CancellationToken.None);
        return read.IsCompleted ? read.Result : read.AsTask().GetAwaiter().GetResult();
    }

    public override int Read(Span<byte> buffer)
    {
        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var n = Read(rented, 0, buffer.Length);
            rented.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    protected ValueTask<int> ReadRawAsync(Memory<byte> destination, bool useAsync, CancellationToken cancellationToken) =>
        useAsync ? Raw.ReadAsync(destination, cancellationToken) : new ValueTask<int>(Raw.Read(destination.Span));

    /// <summary>Feeds decoded bytes to the digests and fails as soon as there are more than declared.</summary>
    protected void OnData(ReadOnlySpan<byte> data)
    {
        Hashes.Append(data);
        if (DeclaredLength is { } declared && Hashes.Length > declared)
        {
            throw BodyErrors.LengthMismatch(declared, Hashes.Length);
        }
    }

    protected void CheckLength()
    {
        if (DeclaredLength is { } declared && Hashes.Length != declared)
        {
            throw BodyErrors.LengthMismatch(declared, Hashes.Length);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A body sent as is: the bytes pass through to the digests.</summary>
internal sealed class PlainBodyStream(Stream raw, BodyHashes hashes, long? declaredLength) : DecodingStream(raw, hashes, declaredLength)
{
    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken cancellationToken)
    {
        if (Completed || destination.Length == 0)
        {
            return 0;
        }

        var n = await ReadRawAsync(destination, useAsync, cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            CheckLength();
            Completed = true;
            return 0;
        }

        OnData(destination.Span[..n]);
        return n;
    }
}

using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Tandem.Origin.Storage;

/// <summary>
/// An open object file. The handle pins the version that was opened: a rename over the key
/// later leaves this handle reading the old file, whose metadata <see cref="Info"/> came from.
/// </summary>
internal sealed class FileObjectContent(SafeFileHandle file, ObjectInfo info, int bufferSize) : IObjectContent
{
    public ObjectInfo Info { get; } = info;

    /// <summary>The open file, for copies inside the store.</summary>
    public SafeFileHandle File => file;

    public async Task CopyToAsync(Stream destination, long offset, long count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckRange(offset, count);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(count, 1, bufferSize));
        try
        {
            while (count > 0)
            {
                // A synchronous read: RandomAccess.ReadAsync on a Unix file handle queues this
                // same blocking read to the thread pool and resumes from there, so reading here
                // blocks a pool thread no longer and saves a thread switch for every buffer.
                cancellationToken.ThrowIfCancellationRequested();
                var read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, count)), offset);
                if (read == 0)
                {
                    throw new EndOfStreamException("The object file ended before its body did.");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                offset += read;
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Stream OpenRead() => new BodyStream(file, Info.Size);

    /// <summary>Reads the whole body into <paramref name="buffer"/>, which is exactly its size.</summary>
    public void ReadExactly(Span<byte> buffer)
    {
        CheckRange(0, buffer.Length);
        for (var offset = 0; offset < buffer.Length;)
        {
            var read = RandomAccess.Read(file, buffer[offset..], offset);
            if (read == 0)
            {
                throw new EndOfStreamException("The object file ended before its body did.");
            }

            offset += read;
        }
    }

    public void Dispose() => file.Dispose();

    private void CheckRange(long offset, long count)
    {
        if (offset < 0 || count < 0 || offset > Info.Size - count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Bytes {offset} to {offset + count} are outside the {Info.Size}-byte body.");
        }
    }

    /// <summary>A read-only, seekable view of the body (the metadata after it stays hidden).</summary>
    private sealed class BodyStream(SafeFileHandle file, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = RandomAccess.Read(file, buffer[..Available(buffer.Length)], _position);
            _position += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await RandomAccess.ReadAsync(file, buffer[..Available(buffer.Length)], _position, cancellationToken);
            _position += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Available(int wanted) => (int)Math.Clamp(length - _position, 0, wanted);
    }
}

using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Tandem.Origin.Storage;

/// <summary>
/// A file being written under DATA/tmp, on the same filesystem as its destination, so it can
/// become an object (or part) by one rename. Deleted on dispose unless it was moved; one left
/// behind by a crash is removed at the next start.
/// </summary>
internal sealed class TempObjectFile : IDisposable
{
    private readonly int _bufferSize;
    private SafeFileHandle? _handle;
    private bool _moved;

    private TempObjectFile(string path, SafeFileHandle handle, int bufferSize)
    {
        Path = path;
        _handle = handle;
        _bufferSize = bufferSize;
    }

    public string Path { get; }

    /// <summary>Body bytes written so far.</summary>
    public long Length { get; private set; }

    public static TempObjectFile Create(string directory, int bufferSize)
    {
        var path = System.IO.Path.Join(directory, Guid.NewGuid().ToString("N") + ".tmp");
        return new TempObjectFile(path, File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None), bufferSize);
    }

    /// <summary>Copies <paramref name="body"/> to the end of the file, hashing it with MD5.</summary>
    public async Task<WrittenBody> WriteAsync(Stream body, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = ArrayPool<byte>.Shared.Rent(_bufferSize);
        try
        {
            int read;
            do
            {
                // Network streams hand over a few KiB at a time; filling the buffer first keeps
                // it to one write call per buffer.
                read = await body.ReadAtLeastAsync(buffer.AsMemory(0, _bufferSize), _bufferSize, throwOnEndOfStream: false, cancellationToken);
                await AppendAsync(buffer.AsMemory(0, read), md5, cancellationToken);
            }
            while (read == _bufferSize);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new WrittenBody(Length, md5.GetHashAndReset());
    }

    /// <summary>Appends <paramref name="count"/> bytes of <paramref name="source"/> from <paramref name="offset"/>, hashing them when <paramref name="md5"/> is given.</summary>
    public async Task AppendAsync(SafeFileHandle source, long offset, long count, IncrementalHash? md5, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_bufferSize);
        try
        {
            while (count > 0)
            {
                var read = await RandomAccess.ReadAsync(source, buffer.AsMemory(0, (int)Math.Min(_bufferSize, count)), offset, cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException("The source file ended before the bytes its metadata describes.");
                }

                await AppendAsync(buffer.AsMemory(0, read), md5, cancellationToken);
                offset += read;
                count -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the metadata after the body, makes the file durable when asked, and closes it.</summary>
    public void Seal(ObjectInfo info, bool fsync)
    {
        var handle = _handle ?? throw new InvalidOperationException("The file is already sealed.");
        if (info.Size != Length)
        {
            throw new InvalidOperationException($"Metadata gives size {info.Size} for a body of {Length} bytes.");
        }

        RandomAccess.Write(handle, ObjectFile.EncodeTrailer(StoredObject.From(info)), Length);
        if (fsync)
        {
            RandomAccess.FlushToDisk(handle);
        }

        handle.Dispose();
        _handle = null;
    }

    /// <summary>Renames the sealed file over <paramref name="path"/>, replacing what was there in one step.</summary>
    public void MoveTo(string path)
    {
        if (_handle is not null)
        {
            throw new InvalidOperationException("Seal the file before moving it.");
        }

        File.Move(Path, path, overwrite: true);
        _moved = true;
    }

    public void Dispose()
    {
        _handle?.Dispose();
        _handle = null;
        if (!_moved)
        {
            FileSync.TryDelete(Path);
        }
    }

    private async ValueTask AppendAsync(ReadOnlyMemory<byte> data, IncrementalHash? md5, CancellationToken cancellationToken)
    {
        var handle = _handle ?? throw new InvalidOperationException("The file is already sealed.");
        if (data.IsEmpty)
        {
            return;
        }

        md5?.AppendData(data.Span);
        await RandomAccess.WriteAsync(handle, data, Length, cancellationToken);
        Length += data.Length;
    }
}

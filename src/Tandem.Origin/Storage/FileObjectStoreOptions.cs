namespace Tandem.Origin.Storage;

/// <summary>Settings for <see cref="FileObjectStore"/>.</summary>
public sealed class FileObjectStoreOptions
{
    /// <summary>S3's minimum size for every part of a multipart upload but the last.</summary>
    public const long S3MinPartSize = 5 * 1024 * 1024;

    private long _minPartSize = S3MinPartSize;
    private int _bufferSize = 128 * 1024;

    /// <summary>
    /// Flush each file and the directory entry that names it to disk before a write is
    /// acknowledged. Default true: a PUT that answered 200 survives a power cut. Tests turn it
    /// off for speed; a kill -9 is survived either way, since the page cache outlives the process.
    /// </summary>
    public bool Fsync { get; set; } = true;

    /// <summary>
    /// Smallest size for every part but the last of a multipart upload (EntityTooSmall
    /// otherwise). Default 5 MiB, S3's rule, which clients size their parts for; tests lower it.
    /// </summary>
    public long MinPartSize
    {
        get => _minPartSize;
        set => _minPartSize = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MinPartSize must not be negative.");
    }

    /// <summary>
    /// Size of the pooled buffers bodies are copied through. Default 128 KiB: large enough that
    /// per-call overhead is lost in the copy, small enough that the shared array pool keeps
    /// buffers for many concurrent transfers.
    /// </summary>
    public int BufferSize
    {
        get => _bufferSize;
        set => _bufferSize = value is >= 4096 and <= 16 * 1024 * 1024
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "BufferSize must be between 4 KiB and 16 MiB.");
    }
}

namespace Tandem.Origin.Storage;

/// <summary>Settings for <see cref="FileObjectStore"/>.</summary>
public sealed class FileObjectStoreOptions
{
    /// <summary>S3's minimum size for every part of a multipart upload but the last.</summary>
    public const long S3MinPartSize = 5 * 1024 * 1024;

    private long _minPartSize = S3MinPartSize;
    private int _bufferSize = 128 * 1024;
    private long _cacheSize = 64 * 1024 * 1024;
    private int _cacheMaxObjectSize = 256 * 1024;

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

    /// <summary>
    /// Memory for bodies of small objects, so the website endpoint serves hot pages without
    /// touching their files; 0 turns the cache off. Default 64 MiB: a whole static site of
    /// pages, styles and scripts, and little next to the page cache the files use anyway.
    /// </summary>
    public long CacheSize
    {
        get => _cacheSize;
        set => _cacheSize = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "CacheSize must not be negative (0 turns the cache off).");
    }

    /// <summary>
    /// Largest body the cache keeps. Default 256 KiB: pages, styles, scripts and most images
    /// fit; larger files are streamed from disk, where a copy costs little next to the transfer.
    /// </summary>
    public int CacheMaxObjectSize
    {
        get => _cacheMaxObjectSize;
        set => _cacheMaxObjectSize = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "CacheMaxObjectSize must not be negative.");
    }
}

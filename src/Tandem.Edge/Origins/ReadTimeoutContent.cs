using System.Net;

namespace Tandem.Edge.Origins;

/// <summary>
/// An origin response body whose every read must make progress within the response timeout, as
/// CloudFront's origin response timeout covers "the wait between packets" too. Without it, an
/// origin frozen mid-body would hold the visitor's response, and its cache fill, forever.
/// </summary>
internal sealed class ReadTimeoutContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly Func<Stream, ReadTimeoutStream> _wrap;

    /// <param name="inner">The origin's response content, headers and all.</param>
    /// <param name="wrap">Puts the timeout around the inner content's stream.</param>
    public ReadTimeoutContent(HttpContent inner, Func<Stream, ReadTimeoutStream> wrap)
    {
        _inner = inner;
        _wrap = wrap;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        _wrap(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        // Content-Length, when the origin sent one, was copied with the other headers.
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A read-only stream that fails a read which gets no bytes within the timeout.</summary>
internal sealed class ReadTimeoutStream : Stream
{
    private readonly Stream _inner;
    private readonly TimeSpan _timeout;
    private readonly Action _onTimeout;
    private readonly CancellationTokenSource _timer;

    public ReadTimeoutStream(Stream inner, TimeSpan timeout, TimeProvider time, Action onTimeout)
    {
        _inner = inner;
        _timeout = timeout;
        _onTimeout = onTimeout;
        _timer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_timer.IsCancellationRequested)
        {
            throw TimedOut();
        }

        _timer.CancelAfter(_timeout);
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token) : null;
        try
        {
            return await _inner.ReadAsync(buffer, linked?.Token ?? _timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _onTimeout();
            throw TimedOut();
        }
        finally
        {
            if (!_timer.IsCancellationRequested)
            {
                _timer.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous readers get the same limit; the host reads asynchronously, so this blocks only in odd callers.
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _timer.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        _timer.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private IOException TimedOut() =>
        new($"the origin sent no body bytes for {_timeout.TotalMilliseconds:0} ms (its response timeout)", new TimeoutException());
}

using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tandem.Origin.Auth;

namespace Tandem.Origin.Body;

/// <summary>
/// Decodes an aws-chunked body: <c>hex-size[;chunk-signature=sig]\r\n data \r\n</c> repeated,
/// a zero-size chunk, then optional trailer lines and an empty line. Verifies each chunk
/// signature (signed variants) and the trailer signature, and holds the trailing checksum for
/// <see cref="DecodedBody.Verify"/>.
/// </summary>
/// <remarks>
/// Chunk headers and trailers are parsed from an internal buffer; chunk data goes straight from
/// the raw stream to the caller's buffer when nothing is buffered, so large bodies are not copied
/// twice. The raw stream may return any number of bytes per read.
/// </remarks>
internal sealed class AwsChunkedStream : DecodingStream
{
    // A chunk header is a hex size and a 64-character signature; the limits only stop a client
    // from making the server buffer an endless line.
    private const int BufferSize = 32 * 1024;
    private const int MaxLineLength = 4096;
    private const int MaxTrailerLines = 16;
    private const string TrailerSignatureName = "x-amz-trailer-signature";

    private readonly AuthContext? _signing;
    private readonly bool _trailerAllowed;
    private readonly string? _announcedTrailer;
    private readonly IncrementalHash? _chunkHash;
    private readonly char[] _previousSignature = new char[64];
    private readonly byte[] _chunkSignature = new byte[32];
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private State _state = State.ChunkHeader;
    private long _remaining;
    private string? _trailerChecksum;

    private enum State
    {
        ChunkHeader,
        ChunkData,
        ChunkEnd,
        Trailer,
        Done,
    }

    /// <param name="signing">The request's authentication when chunks are signed; null for unsigned chunks.</param>
    /// <param name="trailerAllowed">True for the -TRAILER variants.</param>
    /// <param name="announcedTrailer">The x-amz-trailer header (lower case), which the trailer must carry.</param>
    public AwsChunkedStream(Stream raw, BodyHashes hashes, long? declaredLength, AuthContext? signing, bool trailerAllowed, string? announcedTrailer)
        : base(raw, hashes, declaredLength)
    {
        _signing = signing;
        _trailerAllowed = trailerAllowed;
        _announcedTrailer = announcedTrailer;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        if (signing is not null)
        {
            _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            if (signing.SeedSignature.Length != 64)
            {
                throw new ArgumentException("the seed signature must be 64 hex characters", nameof(signing));
            }

            signing.SeedSignature.AsSpan().CopyTo(_previousSignature);
        }
    }

    public override string? TrailerChecksum => _trailerChecksum;

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(AwsChunkedStream));

    protected override async ValueTask<int> ReadCoreAsync(Memory<byte> destination, bool useAsync, CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (_state)
            {
                case State.ChunkHeader:
                    var header = await ReadLineAsync(useAsync, cancellationToken).ConfigureAwait(false)
                        ?? throw BodyErrors.Truncated("the body ended where a chunk header was expected.");
                    StartChunk(header);
                    continue;

                case State.ChunkData when _remaining == 0:
                    _state = State.ChunkEnd;
                    continue;

                case State.ChunkData:
                    if (destination.Length == 0)
                    {
                        return 0;
                    }

                    var want = (int)Math.Min(destination.Length, _remaining);
                    int n;
                    if (_end > _start)
                    {
                        n = Math.Min(want, _end - _start);
                        Buffer.AsSpan(_start, n).CopyTo(destination.Span);
                        _start += n;
                    }
                    else
                    {
                        n = await ReadRawAsync(destination[..want], useAsync, cancellationToken).ConfigureAwait(false);
                        if (n == 0)
                        {
                            throw BodyErrors.Truncated($"the body ended with {_remaining} bytes of a chunk still to come.");
                        }
                    }

                    _remaining -= n;
                    var data = destination.Span[..n];
                    _chunkHash?.AppendData(data);
                    OnData(data);
                    return n;

                case State.ChunkEnd:
                    if (!await FillAsync(2, useAsync, cancellationToken).ConfigureAwait(false))
                    {
                        throw BodyErrors.Truncated("the body ended after the data of a chunk, before its CRLF.");
                    }

                    if (Buffer[_start] != '\r' || Buffer[_start + 1] != '\n')
                    {
                        throw BodyErrors.Framing("chunk data is not followed by CRLF; the chunk size does not match its data.");
                    }

                    _start += 2;
                    VerifyChunkSignature();
                    _state = State.ChunkHeader;
                    continue;

                case State.Trailer:
                    await ReadTrailerAsync(useAsync, cancellationToken).ConfigureAwait(false);
                    await ExpectEndAsync(useAsync, cancellationToken).ConfigureAwait(false);
                    CheckLength();
                    Completed = true;
                    _state = State.Done;
                    continue;

                default:
                    return 0;
            }
        }
    }

    // "<hex-size>[;name[=value]]*": the size in either case of hex; of the extensions only
    // chunk-signature means anything.
    private void StartChunk(string line)
    {
        var semicolon = line.IndexOf(';');
        var sizeText = (semicolon < 0 ? line : line[..semicolon]).Trim(' ', '\t');
        if (sizeText.Length is 0 or > 15 || !long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size))
        {
            throw BodyErrors.Framing($"\"{Shorten(line)}\" does not start with a hexadecimal chunk size.");
        }

        string? signature = null;
        if (semicolon >= 0)
        {
            foreach (var extension in line[(semicolon + 1)..].Split(';'))
            {
                var eq = extension.IndexOf('=');
                if (eq > 0 && extension[..eq].Trim() == "chunk-signature")
                {
                    signature = extension[(eq + 1)..].Trim();
                }
            }
        }

        if (_signing is not null)
        {
            if (signature is null || signature.Length != 64 || Convert.FromHexString(signature, _chunkSignature, out _, out _) != OperationStatus.Done)
            {
                throw BodyErrors.ChunkSignature("A chunk of a signed aws-chunked body has no valid chunk-signature.");
            }
        }

        if (DeclaredLength is { } declared && Hashes.Length + size > declared)
        {
            throw BodyErrors.LengthMismatch(declared, Hashes.Length + size);
        }

        _remaining = size;
        if (size > 0)
        {
            _state = State.ChunkData;
            return;
        }

        // The final, empty chunk is signed like the others, and the trailer chains on it.
        VerifyChunkSignature();
        _state = State.Trailer;
    }

    private void VerifyChunkSignature()
    {
        if (_signing is null)
        {
            return;
        }

        Span<byte> hash = stackalloc byte[32];
        _chunkHash!.GetHashAndReset(hash);
        Span<byte> computed = stackalloc byte[32];
        SigV4.SignChunk(_signing.SigningKey, _signing.AmzDate, _signing.Scope, _previousSignature, hash, computed);
        if (!CryptographicOperations.FixedTimeEquals(computed, _chunkSignature))
        {
            throw BodyErrors.ChunkSignature($"The chunk that ends at object byte {Hashes.Length} has a wrong chunk-signature.");
        }

        Convert.TryToHexStringLower(computed, _previousSignature, out _);
    }

    // Trailer lines "name:value" up to an empty line. Accepted as clients write them: right after
    // the final chunk's line (botocore, the .NET SDK), after one extra CRLF (the AWS documentation's
    // example), and with the closing empty line missing at the end of the body.
    private async ValueTask ReadTrailerAsync(bool useAsync, CancellationToken cancellationToken)
    {
        var trailers = new List<KeyValuePair<string, string>>();
        string? signature = null;
        var skippedEmpty = false;
        while (true)
        {
            var line = await ReadLineAsync(useAsync, cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                break;
            }

            if (line.Length == 0)
            {
                if (trailers.Count == 0 && signature is null && _announcedTrailer is not null && !skippedEmpty)
                {
                    skippedEmpty = true;
                    continue;
                }

                break;
            }

            if (trailers.Count + 1 > MaxTrailerLines)
            {
                throw BodyErrors.MalformedTrailer("The trailer has too many lines.");
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw BodyErrors.MalformedTrailer($"The trailer line \"{Shorten(line)}\" is not name:value.");
            }

            var name = line[..colon].Trim().ToLowerInvariant();
            var value = line[(colon + 1)..].Trim();
            if (name == TrailerSignatureName)
            {
                signature = value;
                continue;
            }

            if (!_trailerAllowed || name != _announcedTrailer)
            {
                throw BodyErrors.MalformedTrailer(_announcedTrailer is null
                    ? $"The body has a trailer \"{name}\" that x-amz-trailer did not announce."
                    : $"The body has a trailer \"{name}\" where x-amz-trailer announced \"{_announcedTrailer}\".");
            }

            if (trailers.Count > 0)
            {
                throw BodyErrors.MalformedTrailer($"The trailer \"{name}\" is repeated.");
            }

            if (!Checksum.TryParseHeaderName(name, out var algorithm) || !Checksum.IsWellFormed(algorithm, value))
            {
                throw S3Exception.InvalidRequest($"Value for {name} trailing header is invalid.");
            }

            trailers.Add(new(name, value));
        }

        if (_announcedTrailer is not null && trailers.Count == 0)
        {
            throw BodyErrors.MalformedTrailer($"x-amz-trailer announced \"{_announcedTrailer}\" but the body has no such trailer.");
        }

        if (_signing is not null && _trailerAllowed && (trailers.Count > 0 || signature is not null))
        {
            VerifyTrailerSignature(trailers, signature);
        }

        _trailerChecksum = trailers.Count > 0 ? trailers[0].Value : null;
    }

    private void VerifyTrailerSignature(List<KeyValuePair<string, string>> trailers, string? signature)
    {
        Span<byte> provided = stackalloc byte[32];
        if (signature is null || signature.Length != 64 || Convert.FromHexString(signature, provided, out _, out _) != OperationStatus.Done)
        {
            throw BodyErrors.ChunkSignature("The trailer of a signed aws-chunked body has no valid x-amz-trailer-signature.");
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(SigV4.CanonicalTrailers(trailers)), hash);
        Span<byte> computed = stackalloc byte[32];
        SigV4.SignTrailer(_signing!.SigningKey, _signing.AmzDate, _signing.Scope, _previousSignature, hash, computed);
        if (!CryptographicOperations.FixedTimeEquals(computed, provided))
        {
            throw BodyErrors.ChunkSignature("The x-amz-trailer-signature is wrong.");
        }
    }

    // Nothing may follow the trailer but stray line ends.
    private async ValueTask ExpectEndAsync(bool useAsync, CancellationToken cancellationToken)
    {
        while (await FillAsync(1, useAsync, cancellationToken).ConfigureAwait(false))
        {
            foreach (var b in Buffer.AsSpan(_start, _end - _start))
            {
                if (b is not ((byte)'\r' or (byte)'\n'))
                {
                    throw BodyErrors.Framing("there is data after the end of the aws-chunked body.");
                }
            }

            _start = _end;
        }
    }

    /// <summary>The next CRLF-terminated line without its CRLF; null at the end of the body when no byte is left.</summary>
    private async ValueTask<string?> ReadLineAsync(bool useAsync, CancellationToken cancellationToken)
    {
        var scanned = 0;
        while (true)
        {
            var lf = Buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var length = scanned + lf;
                if (length > MaxLineLength)
                {
                    throw BodyErrors.Framing($"a chunk header or trailer line is longer than {MaxLineLength} bytes.");
                }

                if (length == 0 || Buffer[_start + length - 1] != '\r')
                {
                    throw BodyErrors.Framing("a chunk header or trailer line does not end in CRLF.");
                }

                var line = Encoding.ASCII.GetString(Buffer, _start, length - 1);
                _start += length + 1;
                return line;
            }

            scanned = _end - _start;
            if (scanned > MaxLineLength)
            {
                throw BodyErrors.Framing($"a chunk header or trailer line is longer than {MaxLineLength} bytes.");
            }

            if (!await FillAsync(scanned + 1, useAsync, cancellationToken).ConfigureAwait(false))
            {
                if (scanned == 0)
                {
                    return null;
                }

                throw BodyErrors.Truncated($"the body ended inside the line \"{Shorten(Encoding.ASCII.GetString(Buffer, _start, scanned))}\".");
            }
        }
    }

    /// <summary>Reads until at least <paramref name="count"/> bytes are buffered; false if the body ends first.</summary>
    private async ValueTask<bool> FillAsync(int count, bool useAsync, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            var buffer = Buffer;
            if (_start > 0)
            {
                buffer.AsSpan(_start, _end - _start).CopyTo(buffer);
                _end -= _start;
                _start = 0;
            }

            var n = await ReadRawAsync(buffer.AsMemory(_end), useAsync, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }

            _end += n;
        }

        return true;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chunkHash?.Dispose();
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        base.Dispose(disposing);
    }
}

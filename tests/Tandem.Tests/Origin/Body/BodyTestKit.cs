using System.Text;
using Tandem.Core.Configuration;
using Tandem.Origin;
using Tandem.Origin.Auth;
using Tandem.Origin.Body;

namespace Tandem.Tests.Origin.Body;

/// <summary>Builds aws-chunked bodies as clients write them, and reads decoded bodies in awkward ways.</summary>
internal static class BodyTestKit
{
    public static readonly S3Credentials Credentials = new("AKIDTANDEM", "secret+key/with=odd chars");
    public static readonly DateTimeOffset Time = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public enum TrailerLayout
    {
        /// <summary>Trailer lines right after the final chunk's line (the .NET SDK, botocore).</summary>
        Direct,

        /// <summary>An empty line between the final chunk and the trailer (the AWS documentation's example).</summary>
        ExtraCrlf,
    }

    /// <summary>A signing context for a streaming PUT, as the verifier would return it.</summary>
    public static AuthContext Context(string payloadHash)
    {
        var request = new SignedRequest("PUT", "/bucket/key", "", [new("Host", "127.0.0.1")]);
        return SigV4Signer.Sign(request, Credentials, "us-east-1", Time, payloadHash).Context;
    }

    public static byte[] Data(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Signed chunks, chained on the context's seed; a trailer (name, value) when given, then signed.</summary>
    public static byte[] Signed(AuthContext context, byte[] data, int chunkSize, bool upperHex = true, (string Name, string Value)? trailer = null,
        TrailerLayout layout = TrailerLayout.Direct)
    {
        var body = new MemoryStream();
        var previous = context.SeedSignature;
        foreach (var chunk in Chunks(data, chunkSize).Append(ReadOnlyMemory<byte>.Empty))
        {
            previous = SigV4Signer.SignChunk(context, previous, chunk.Span);
            Write(body, $"{Hex(chunk.Length, upperHex)};chunk-signature={previous}\r\n");
            body.Write(chunk.Span);
            if (chunk.Length > 0)
            {
                Write(body, "\r\n");
            }
        }

        if (trailer is { } t)
        {
            if (layout == TrailerLayout.ExtraCrlf)
            {
                Write(body, "\r\n");
            }

            var signature = SigV4Signer.SignTrailer(context, previous, [new(t.Name, t.Value)]);
            Write(body, $"{t.Name}:{t.Value}\r\nx-amz-trailer-signature:{signature}\r\n\r\n");
        }
        else
        {
            Write(body, "\r\n");
        }

        return body.ToArray();
    }

    /// <summary>Unsigned chunks as botocore writes them: lower-case hex sizes, "0\r\n", the trailer, "\r\n".</summary>
    public static byte[] Unsigned(byte[] data, int chunkSize, bool upperHex = false, (string Name, string Value)? trailer = null)
    {
        var body = new MemoryStream();
        foreach (var chunk in Chunks(data, chunkSize))
        {
            Write(body, Hex(chunk.Length, upperHex) + "\r\n");
            body.Write(chunk.Span);
            Write(body, "\r\n");
        }

        Write(body, "0\r\n");
        if (trailer is { } t)
        {
            Write(body, $"{t.Name}:{t.Value}\r\n");
        }

        Write(body, "\r\n");
        return body.ToArray();
    }

    public static Func<string, string?> Headers(params (string Name, string? Value)[] headers) =>
        name => headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    public static Func<string, string?> StreamingHeaders(string payloadHash, long decodedLength, string? trailer = null, params (string Name, string? Value)[] more) =>
        Headers([("x-amz-content-sha256", payloadHash), ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", decodedLength.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("x-amz-trailer", trailer), .. more]);

    /// <summary>Opens and reads a body to its end through <paramref name="raw"/>, then verifies it.</summary>
    public static (byte[] Data, IReadOnlyDictionary<string, string> Checksums) Decode(Stream raw, Func<string, string?> headers, AuthContext? auth, int readSize = 8192, bool sync = false)
    {
        using var body = RequestBody.Open(raw, headers, auth);
        var output = new MemoryStream();
        var buffer = new byte[readSize];
        while (true)
        {
            var n = sync ? body.Stream.Read(buffer, 0, buffer.Length) : body.Stream.ReadAsync(buffer.AsMemory()).AsTask().GetAwaiter().GetResult();
            if (n == 0)
            {
                break;
            }

            output.Write(buffer, 0, n);
        }

        // A second read at the end must still say end.
        Assert.Equal(0, body.Stream.Read(buffer, 0, buffer.Length));
        return (output.ToArray(), body.Verify());
    }

    public static S3Exception DecodeFails(byte[] raw, Func<string, string?> headers, AuthContext? auth) =>
        Assert.Throws<S3Exception>(() => Decode(new MemoryStream(raw), headers, auth));

    private static IEnumerable<ReadOnlyMemory<byte>> Chunks(byte[] data, int size)
    {
        for (var i = 0; i < data.Length; i += size)
        {
            yield return data.AsMemory(i, Math.Min(size, data.Length - i));
        }
    }

    private static string Hex(int n, bool upper) => n.ToString(upper ? "X" : "x", System.Globalization.CultureInfo.InvariantCulture);

    private static void Write(Stream s, string text) => s.Write(Encoding.ASCII.GetBytes(text));
}

/// <summary>A stream that returns at most a few bytes per read, at split points chosen by a seed (or always one byte).</summary>
internal sealed class TrickleStream(byte[] data, int? seed = null, int maxRead = 1) : Stream
{
    private readonly Random? _random = seed is { } s ? new Random(s) : null;
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var most = _random is null ? maxRead : _random.Next(1, maxRead + 1);
        var n = Math.Min(Math.Min(buffer.Length, most), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Yield now and then so the decoder really goes through asynchronous completions.
        if (_random?.Next(64) == 0)
        {
            await Task.Yield();
        }

        return Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

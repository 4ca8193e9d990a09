using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Tandem.Core.Configuration;
using Tandem.Origin.Auth;

namespace Tandem.FunctionalTests.Infrastructure;

/// <summary>
/// An HTTP/1.1 request written byte for byte: the target goes on the wire as given (no URI
/// normalisation), so tests can send what no client library would.
/// </summary>
public sealed class RawRequest
{
    private readonly List<KeyValuePair<string, string>> _headers;

    public RawRequest(string method, string target, string host)
    {
        Method = method;
        Target = target;
        _headers = [new("Host", host)];
    }

    public string Method { get; }

    /// <summary>The request target exactly as sent, such as "/site/a%2Fb?uploads".</summary>
    public string Target { get; }

    public byte[] Body { get; private set; } = [];

    /// <summary>What the signature established, for signing aws-chunked chunks; null until <see cref="Sign"/>.</summary>
    public AuthContext? Auth { get; private set; }

    public RawRequest Header(string name, string value)
    {
        _headers.Add(new(name, value));
        return this;
    }

    public RawRequest WithBody(byte[] body)
    {
        Body = body;
        return this;
    }

    /// <summary>
    /// Signs with the Authorization header, as the SDKs do. The payload hash is the hex SHA-256
    /// of the body unless another value (UNSIGNED-PAYLOAD, STREAMING-…) is given. Headers added
    /// afterwards are sent unsigned.
    /// </summary>
    public RawRequest Sign(S3Credentials credentials, string? payloadHash = null, DateTimeOffset? time = null)
    {
        var signed = SigV4Signer.Sign(Unsigned(), credentials, "us-east-1", time ?? DateTimeOffset.UtcNow, payloadHash ?? Convert.ToHexStringLower(SHA256.HashData(Body)));
        _headers.Clear();
        _headers.AddRange(signed.Request.Headers);
        Auth = signed.Context;
        return this;
    }

    /// <summary>The target of a presigned URL for this request (path and query, the signature in the query); its body is UNSIGNED-PAYLOAD.</summary>
    public string PresignedTarget(S3Credentials credentials, TimeSpan expires, DateTimeOffset? time = null)
    {
        var signed = SigV4Signer.Presign(Unsigned(), credentials, "us-east-1", time ?? DateTimeOffset.UtcNow, expires).Request;
        return signed.RawPath + "?" + signed.RawQuery;
    }

    /// <summary>
    /// Makes the body <paramref name="data"/> in aws-chunked form with signed chunks
    /// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), as the SDKs send it, and signs the request.
    /// </summary>
    public RawRequest SignChunked(S3Credentials credentials, byte[] data, int chunkSize)
    {
        Header("Content-Encoding", "aws-chunked").Header("x-amz-decoded-content-length", data.Length.ToString(CultureInfo.InvariantCulture));
        Sign(credentials, PayloadHashes.StreamingSigned);
        using var body = new MemoryStream();
        var previous = Auth!.SeedSignature;
        for (var offset = 0; ; offset = Math.Min(offset + chunkSize, data.Length))
        {
            var chunk = data.AsSpan(offset, Math.Min(chunkSize, data.Length - offset));
            previous = SigV4Signer.SignChunk(Auth, previous, chunk);
            body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x};chunk-signature={previous}\r\n"));
            body.Write(chunk);
            body.Write("\r\n"u8);
            if (chunk.Length == 0)
            {
                break;
            }
        }

        Body = body.ToArray();
        return this;
    }

    /// <summary>
    /// The request line and headers. Content-Length is the body's length unless the request set
    /// one (or Transfer-Encoding) itself; every request asks the server to close the connection
    /// after answering, so a response ends where the stream does.
    /// </summary>
    public byte[] Head()
    {
        var text = new StringBuilder().Append(Method).Append(' ').Append(Target).Append(" HTTP/1.1\r\n");
        foreach (var (name, value) in _headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (!_headers.Any(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)))
        {
            text.Append("Content-Length: ").Append(Body.Length).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(text.Append("Connection: close\r\n\r\n").ToString());
    }

    private SignedRequest Unsigned()
    {
        var q = Target.IndexOf('?');
        return new SignedRequest(Method, q < 0 ? Target : Target[..q], q < 0 ? "" : Target[(q + 1)..], _headers);
    }
}

/// <summary>A response read off a raw connection.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>The Code of S3's XML error document; fails the test when the body is not one.</summary>
    public string ErrorCode()
    {
        XDocument doc;
        try
        {
            doc = XDocument.Parse(Text);
        }
        catch (System.Xml.XmlException e)
        {
            throw new Xunit.Sdk.XunitException($"HTTP {Status}: the body is not XML ({e.Message}):\n{Text}");
        }

        Assert.Equal("Error", doc.Root!.Name.LocalName);
        return doc.Root.Element("Code")?.Value ?? throw new Xunit.Sdk.XunitException("the error document has no Code:\n" + Text);
    }

    /// <summary>Asserts S3's error answer: this status, an XML body and this Code.</summary>
    public RawResponse AssertError(int status, string code)
    {
        Assert.True(Status == status, $"expected {status} {code}, got {Status}:\n{Text}");
        Assert.StartsWith("application/xml", Header("Content-Type") ?? "", StringComparison.Ordinal);
        Assert.Equal(code, ErrorCode());
        return this;
    }
}

/// <summary>Sends <see cref="RawRequest"/>s over plain sockets and reads the answer to the end of the connection.</summary>
public static class RawHttp
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>A connected socket to the host and port of <paramref name="baseUrl"/>.</summary>
    public static async Task<TcpClient> ConnectAsync(string baseUrl)
    {
        var uri = new Uri(baseUrl);
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(uri.Host, uri.Port);
        return client;
    }

    /// <summary>
    /// Sends the request and reads the response. The body is written while the response is read,
    /// since a server may answer (and stop reading) before the body is all sent.
    /// </summary>
    /// <param name="endSending">Shut down the sending side after the body, as a client whose body ran out early does.</param>
    public static async Task<RawResponse> SendAsync(string baseUrl, RawRequest request, bool endSending = false)
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var client = await ConnectAsync(baseUrl);
        var stream = client.GetStream();
        var write = Task.Run(async () =>
        {
            await stream.WriteAsync(request.Head(), cts.Token);
            await stream.WriteAsync(request.Body, cts.Token);
            if (endSending)
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }
        });
        var response = await ReadResponseAsync(stream, cts.Token);
        try
        {
            await write;
        }
        catch (IOException)
        {
            // The server answered early and closed the connection before taking the whole body.
        }

        return response;
    }

    /// <summary>
    /// Sends the head and the first <paramref name="count"/> bytes of the body and leaves the
    /// connection open, as a client does mid-upload. Dispose the client to hang up.
    /// </summary>
    public static async Task<TcpClient> SendPartAsync(string baseUrl, RawRequest request, int count)
    {
        var client = await ConnectAsync(baseUrl);
        var stream = client.GetStream();
        await stream.WriteAsync(request.Head());
        await stream.WriteAsync(request.Body.AsMemory(0, count));
        return client;
    }

    /// <summary>Reads a response to the end of the connection (the request asked for Connection: close).</summary>
    public static async Task<RawResponse> ReadResponseAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (IOException) when (received.Length > 0)
        {
            // A reset after the response (the server aborting an unread body) ends it too.
        }

        return Parse(received.ToArray());
    }

    private static RawResponse Parse(byte[] bytes)
    {
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new IOException($"the connection closed after {bytes.Length} bytes, before a whole response head");
        }

        var lines = Encoding.ASCII.GetString(bytes, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = bytes.AsSpan(end + 4);
        return new RawResponse(status, headers, headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase)
            ? Dechunk(body)
            : body.ToArray());
    }

    private static byte[] Dechunk(ReadOnlySpan<byte> body)
    {
        using var result = new MemoryStream();
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n"u8);
            var sizeText = Encoding.ASCII.GetString(body[..lineEnd]).Split(';')[0];
            var size = Convert.ToInt32(sizeText, 16);
            if (size == 0)
            {
                return result.ToArray();
            }

            result.Write(body.Slice(lineEnd + 2, size));
            body = body[(lineEnd + 2 + size + 2)..];
        }
    }
}

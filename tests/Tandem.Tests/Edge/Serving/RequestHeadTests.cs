using System.Buffers;
using System.Text;
using Tandem.Edge.Serving.FastPath;

namespace Tandem.Tests.Edge.Serving;

public sealed class RequestHeadTests
{
    private static HeadKind Parse(string text, out SimpleRequest request) => RequestHead.Parse(Encoding.Latin1.GetBytes(text), out request);

    private static HeadKind Kind(string text) => Parse(text, out _);

    [Fact]
    public void PlainGet_IsSimple_WithTheTargetAndTheHeadLength()
    {
        const string head = "GET /css/site.css?v=2 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\n\r\n";

        var kind = Parse(head + "GET /next HTTP/1.1\r\n", out var request);

        Assert.Equal(HeadKind.Simple, kind);
        Assert.False(request.IsHead);
        Assert.Equal("/css/site.css?v=2", request.Target);
        Assert.Equal(head.Length, request.Length);
        Assert.Null(request.AcceptEncoding);
    }

    [Fact]
    public void Head_WithTheFieldsAHitDependsOn_CapturesThem()
    {
        var kind = Parse("HEAD / HTTP/1.1\r\nhost: example.test\r\nACCEPT-ENCODING:  gzip, br \r\nAccept: text/html\r\nCookie: a=1\r\nSec-Fetch-Dest: document\r\nConnection: Keep-Alive\r\n\r\n", out var request);

        Assert.Equal(HeadKind.Simple, kind);
        Assert.True(request.IsHead);
        Assert.Equal("gzip, br", request.AcceptEncoding);
        Assert.Equal("text/html", request.Accept);
        Assert.Equal("a=1", request.Cookie);
        Assert.Equal("document", request.SecFetchDest);
    }

    [Fact]
    public void TheValidatorsARevalidationSends_AreCaptured()
    {
        var kind = Parse("GET /a.css HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"x\", W/\"y\"\r\nIf-Modified-Since: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n", out var request);

        Assert.Equal(HeadKind.Simple, kind);
        Assert.Equal("\"x\", W/\"y\"", request.IfNoneMatch);
        Assert.Equal("Thu, 01 Jan 2026 00:00:00 GMT", request.IfModifiedSince);
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("HEA")]
    [InlineData("GET /")]
    [InlineData("GET /index.html HTTP/1.1\r\nHost: a\r\n")]
    [InlineData("GET /index.html HTTP/1.1\r\nHost: a\r\n\r")]
    public void APlainRequestNotAllArrived_IsIncomplete(string text) => Assert.Equal(HeadKind.Incomplete, Kind(text));

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("get / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n")]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a%2Fb HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a/../b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /./b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /.well-known/acme-challenge/x HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a\"b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: \r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a b\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: y\rz\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: caf\u00e9\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX: nul\0\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: empty-name\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nno-colon\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\nAccept-Encoding: br\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n\r\n")]
    public void AnythingElse_GoesToKestrel(string text) => Assert.Equal(HeadKind.Other, Kind(text));

    [Theory]
    [InlineData("Authorization: Bearer x")]
    [InlineData("Content-Length: 0")]
    [InlineData("Transfer-Encoding: chunked")]
    [InlineData("Expect: 100-continue")]
    [InlineData("Upgrade: h2c")]
    [InlineData("HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA")]
    [InlineData("Range: bytes=0-9")]
    [InlineData("If-Range: \"abc\"")]
    [InlineData("If-Match: \"abc\"")]
    [InlineData("If-Unmodified-Since: Thu, 01 Jan 2026 00:00:00 GMT")]
    public void AFieldOnlyTheFullPathHandles_GoesToKestrel(string field) =>
        Assert.Equal(HeadKind.Other, Kind($"GET / HTTP/1.1\r\nHost: a\r\n{field}\r\n\r\n"));

    [Fact]
    public void FieldsItDoesNotUse_AreIgnored()
    {
        var kind = Kind("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozilla/5.0 (X11)\r\nAccept-Language: en\r\nCache-Control: no-cache\r\nX-Forwarded-For: 192.0.2.1\r\nTE: trailers\r\nX-Tab:\tvalue\r\n\r\n");

        Assert.Equal(HeadKind.Simple, kind);
    }

    [Fact]
    public void TooManyFields_GoToKestrel()
    {
        var fields = string.Concat(Enumerable.Range(0, RequestHead.MaxFields).Select(i => $"X-{i}: v\r\n"));

        Assert.Equal(HeadKind.Other, Kind($"GET / HTTP/1.1\r\nHost: a\r\n{fields}\r\n"));
        Assert.Equal(HeadKind.Simple, Kind($"GET / HTTP/1.1\r\nHost: a\r\n{fields[..^("X-99: v\r\n".Length)]}\r\n"));
    }

    [Fact]
    public void AHeadLongerThanTheLimit_GoesToKestrel_WhetherOrNotItHasEnded()
    {
        var big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + new string('x', RequestHead.MaxLength) + "\r\n\r\n";

        Assert.Equal(HeadKind.Other, Kind(big));
        Assert.Equal(HeadKind.Other, Kind(big[..RequestHead.MaxLength]));
        Assert.Equal(HeadKind.Incomplete, Kind(big[..(RequestHead.MaxLength - 1)]));
    }

    [Fact]
    public void AHeadSplitAcrossSegments_ParsesAsOne()
    {
        const string head = "GET /about/ HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(head);
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var sequence = Segments(bytes[..cut], bytes[cut..]);

            var kind = RequestHead.Parse(sequence, out var request);

            Assert.Equal(HeadKind.Simple, kind);
            Assert.Equal("/about/", request.Target);
            Assert.Equal("br", request.AcceptEncoding);
            Assert.Equal(bytes.Length, request.Length);
        }
    }

    private static ReadOnlySequence<byte> Segments(byte[] first, byte[] second)
    {
        var a = new Segment(first, 0);
        var b = a.Append(second);
        return new ReadOnlySequence<byte>(a, 0, b, second.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

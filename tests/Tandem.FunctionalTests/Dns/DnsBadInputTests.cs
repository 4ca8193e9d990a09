using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Tandem.Dns;
using Tandem.Dns.Serving;

namespace Tandem.FunctionalTests.Dns;

/// <summary>
/// Thousands of random, truncated, oversized and compression-loop packets over UDP and TCP: the
/// server answers FORMERR or drops each one, and dig's good queries keep getting answers.
/// </summary>
public sealed class DnsBadInputTests : IAsyncLifetime
{
    private DnsHost _dns = null!;

    public async Task InitializeAsync() => _dns = await DnsRig.StartAsync(DnsRig.ZoneJson(DnsRig.ClosedPort(), intervalMs: 60000));

    public async Task DisposeAsync() => await _dns.DisposeAsync();

    /// <summary>A well-formed query for www.example.test A with the given id.</summary>
    private static byte[] Query(ushort id)
    {
        byte[] packet = [0, 0, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, (byte)'w', (byte)'w', (byte)'w', 7, .. "example"u8, 4, .. "test"u8, 0, 0, 1, 0, 1];
        BinaryPrimitives.WriteUInt16BigEndian(packet, id);
        return packet;
    }

    [Fact]
    public async Task Udp_RandomAndTruncatedPackets_AreDroppedOrFormerrAndGoodQueriesStillWork()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var rng = new Random(6);
        var good = Query(0x1234);
        var sent = 0;
        for (var i = 0; i < 3000; i++)
        {
            byte[] packet;
            if (i % 3 == 0)
            {
                // Every prefix of a good query, and then some.
                packet = good[..(i / 3 % good.Length)];
            }
            else
            {
                packet = new byte[rng.Next(0, 600)];
                rng.NextBytes(packet);
                if (i % 3 == 1 && packet.Length >= 12)
                {
                    packet[2] &= 0x7F; // a query, not a response, so it goes deeper into the parser
                    packet[4] = 0;
                    packet[5] = 1;
                }
            }

            await udp.SendAsync(packet, _dns.Endpoint);
            sent++;
            if (i % 500 == 0)
            {
                await AssertStillAnswersAsync();
            }
        }

        await DrainAsync(udp);
        await AssertStillAnswersAsync();
        Assert.Equal(3000, sent);
    }

    [Fact]
    public async Task Udp_CompressionLoops_AreFormerrAndDoNotHangTheServer()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] header = [0xAB, 0xCD, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        var good = Query(0xABCE);
        good[11] = 1; // ARCOUNT 1: the OPT record below
        byte[][] loops =
        [
            [.. header, 0xC0, 0x0C, 0, 1, 0, 1],                         // a name that points at itself
            [.. header, 0xC0, 0x0E, 0xC0, 0x0C, 0, 1, 0, 1],             // two pointers pointing at each other
            [.. header, 3, (byte)'w', (byte)'w', (byte)'w', 0xC0, 0x0C, 0, 1, 0, 1], // a label, then back to the start
            [.. header, 0xC0, 0xFF, 0, 1, 0, 1],                         // a pointer past the end
            [.. header, 0x7F, 1, 2, 3],                                  // a label longer than the packet
            [.. good, 0xC0, (byte)good.Length, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0], // a good question, then an OPT whose owner points at itself
        ];

        // One at a time first, so that each packet's own reply is seen: FORMERR, echoing its id.
        foreach (var packet in loops)
        {
            Assert.Equal(1, await RcodeAsync(udp, packet));
        }

        for (var round = 0; round < 200; round++)
        {
            foreach (var packet in loops)
            {
                await udp.SendAsync(packet, _dns.Endpoint);
            }
        }

        await DrainAsync(udp, onlyRcode: 1);
        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task OversizedPacket_IsFormerrOverUdpAndTcp()
    {
        // A good question followed by 59,971 bytes that no record in the header accounts for.
        var big = new byte[60000];
        Query(0x4242).CopyTo(big, 0);
        new Random(1).NextBytes(big.AsSpan(40));

        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.Equal(1, await RcodeAsync(udp, big));
        for (var i = 0; i < 20; i++)
        {
            await udp.SendAsync(big, _dns.Endpoint);
        }

        await DrainAsync(udp, onlyRcode: 1);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_dns.Endpoint);
        var stream = tcp.GetStream();
        var frame = new byte[2 + big.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)big.Length);
        big.CopyTo(frame, 2);
        await stream.WriteAsync(frame);
        var reply = new byte[2 + 12];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await stream.ReadExactlyAsync(reply, cts.Token);
        Assert.Equal(12, BinaryPrimitives.ReadUInt16BigEndian(reply));
        Assert.Equal([0x42, 0x42], reply[2..4]);
        Assert.Equal(1, reply[5] & 0x0F);

        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task Udp_WellFormedButWrong_GetsTheRightError()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var noQuestion = Query(1)[..12];
        noQuestion[5] = 0;
        var twoQuestions = Query(2);
        twoQuestions[5] = 2;
        byte[] twice = [.. twoQuestions, .. Query(2)[12..]];
        var notify = Query(3);
        notify[2] = 0x20; // opcode 4, NOTIFY
        var update = Query(4);
        update[2] = 0x28; // opcode 5, UPDATE

        Assert.Equal(1, await RcodeAsync(udp, noQuestion));  // FORMERR
        Assert.Equal(1, await RcodeAsync(udp, twice));       // FORMERR
        Assert.Equal(4, await RcodeAsync(udp, notify));      // NOTIMP
        Assert.NotEqual(0, await RcodeAsync(udp, update));   // not answered as a query
        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task Tcp_GarbageAndShortFrames_CloseThatConnectionOnly()
    {
        var rng = new Random(7);
        for (var i = 0; i < 50; i++)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(_dns.Endpoint);
            var stream = tcp.GetStream();
            var junk = new byte[rng.Next(1, 300)];
            rng.NextBytes(junk);
            if (i % 2 == 0)
            {
                // A length prefix that promises more than is sent.
                junk[0] = 0xFF;
                junk[1] = 0xFF;
            }

            await stream.WriteAsync(junk);
            tcp.Client.Shutdown(SocketShutdown.Send);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                var buffer = new byte[4096];
                while (await stream.ReadAsync(buffer, cts.Token) > 0)
                {
                }
            }
            catch (IOException)
            {
                // Reset by the server: also fine.
            }
        }

        var reply = await Dig.QueryAsync(_dns.Endpoint, "www.example.test", "A", "+tcp");
        Assert.Equal("NOERROR", reply.Status);
        await AssertStillAnswersAsync();
    }

    [Fact]
    public async Task Tcp_MoreIdleConnectionsThanTheLimit_UdpKeepsAnsweringAndTcpComesBack()
    {
        var idle = new List<TcpClient>();
        try
        {
            for (var i = 0; i < DnsListener.MaxTcpConnections + 50; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync(_dns.Endpoint);
                idle.Add(c);
            }

            await AssertStillAnswersAsync();
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
        }

        var sw = System.Diagnostics.Stopwatch.StartNew();
        Dig.Reply reply;
        do
        {
            reply = await Dig.QueryAsync(_dns.Endpoint, "www.example.test", "A", "+tcp");
        }
        while (reply.Status != "NOERROR" && sw.Elapsed < TimeSpan.FromSeconds(15));

        Assert.Equal("NOERROR", reply.Status);
    }

    /// <summary>Sends one packet and returns the reply's rcode, or -1 when the server dropped it.</summary>
    private async Task<int> RcodeAsync(UdpClient udp, byte[] packet)
    {
        await udp.SendAsync(packet, _dns.Endpoint);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            var r = await udp.ReceiveAsync(cts.Token);
            Assert.Equal(packet[0..2], r.Buffer[0..2]);
            return r.Buffer[3] & 0x0F;
        }
        catch (OperationCanceledException)
        {
            return -1;
        }
    }

    private async Task AssertStillAnswersAsync()
    {
        // Retries as a resolver would: a burst of junk larger than the socket's receive buffer
        // drops datagrams in the kernel, good ones among them, before the server sees them.
        var reply = await Dig.QueryAsync(_dns.Endpoint, "www.example.test", "A", "+tries=3", "+time=2");
        Assert.True(reply.Status == "NOERROR", reply.Raw);
        Assert.Single(reply.Answer);
    }

    /// <summary>
    /// Reads whatever came back: each reply must be a response without answers (FORMERR, NOTIMP,
    /// REFUSED, BADVERS or such: never an answer to junk), and with <paramref name="onlyRcode"/>
    /// that response code.
    /// </summary>
    private static async Task DrainAsync(UdpClient udp, int? onlyRcode = null)
    {
        while (true)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            UdpReceiveResult r;
            try
            {
                r = await udp.ReceiveAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Assert.True(r.Buffer.Length >= 12, "a reply shorter than a DNS header");
            Assert.True((r.Buffer[2] & 0x80) != 0, "a reply without the QR bit");
            Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(r.Buffer.AsSpan(6)));
            if (onlyRcode is { } rcode)
            {
                Assert.Equal(rcode, r.Buffer[3] & 0x0F);
            }
        }
    }
}

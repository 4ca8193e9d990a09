using System.Diagnostics.Metrics;
using ARSoft.Tools.Net.Dns;
using Tandem.Core.Configuration;
using Tandem.Dns.Serving;
using Tandem.Dns.Zones;

namespace Tandem.Tests.Dns;

public sealed class DnsResponderTests : IDisposable
{
    private readonly Meter _meter = new("test");
    private readonly DnsResponder _responder;
    private readonly byte[] _output = new byte[DnsResponder.MaxMessage];

    public DnsResponderTests()
    {
        var config = ConfigLoader.Parse("""
            {
              "origins": { "primary": { "websiteEndpoint": "http://127.0.0.1:9001" } },
              "dns": { "zones": { "example.com": { "records": [ { "name": "www", "type": "A", "values": ["192.0.2.1"] } ] } } }
            }
            """, "/t/tandem.json").Config;
        var table = AnswerTable.Build(ZoneModelBuilder.Build(config, new Dictionary<string, int>()), []);
        _responder = new DnsResponder(() => table, new DnsMetrics(_meter));
    }

    public void Dispose() => _meter.Dispose();

    private static byte[] Query(string name, ushort flags = 0x0100, byte[]? additional = null)
    {
        var bytes = new List<byte> { 0xBE, 0xEF, (byte)(flags >> 8), (byte)flags, 0, 1, 0, 0, 0, 0, 0, (byte)(additional is null ? 0 : 1) };
        foreach (var label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, 0, 1, 0, 1]);
        bytes.AddRange(additional ?? []);
        return [.. bytes];
    }

    private DnsMessage Ask(byte[] query, bool tcp = false)
    {
        var n = _responder.Respond(query, query.Length, _output, tcp);
        Assert.True(n > 0);
        return DnsMessage.Parse(new ArraySegment<byte>(_output, 0, n));
    }

    [Fact]
    public void Respond_MixedCaseQuestion_EchoesItAndAnswersWithAPointerToIt()
    {
        var response = Ask(Query("WwW.eXample.COM"));

        Assert.Equal(0xBEEF, response.TransactionID);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.True(response.IsRecursionDesired);
        Assert.False(response.IsRecursionAllowed);
        Assert.Equal("WwW.eXample.COM.", response.Questions[0].Name.ToString());
        var a = Assert.IsType<ARecord>(Assert.Single(response.AnswerRecords));
        Assert.Equal("192.0.2.1", a.Address.ToString());
    }

    [Fact]
    public void Respond_EdnsVersion1_IsBadvers()
    {
        // OPT: root name, type 41, payload 4096, extended rcode 0, version 1, flags 0, no data.
        var response = Ask(Query("www.example.com", additional: [0, 0, 41, 0x10, 0, 0, 1, 0, 0, 0, 0]));

        Assert.Equal(ReturnCode.BadVersion, response.ReturnCode);
        Assert.Empty(response.AnswerRecords);
    }

    [Fact]
    public void Respond_AResponsePacket_IsDropped()
    {
        var packet = Query("www.example.com", flags: 0x8100);

        Assert.Equal(0, _responder.Respond(packet, packet.Length, _output, tcp: false));
    }

    [Fact]
    public void Respond_HeaderThatParsesButQuestionIsCutShort_IsFormerr()
    {
        var packet = Query("www.example.com")[..20];

        var n = _responder.Respond(packet, packet.Length, _output, tcp: false);

        Assert.Equal(12, n);
        Assert.Equal(1, _output[3] & 0x0F);
        Assert.Equal(0xBE, _output[0]);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 100)]
    [InlineData(true, 1)]
    [InlineData(true, 40000)]
    public void Respond_BytesPastTheLastRecord_IsFormerr(bool edns, int extra)
    {
        // OPT: root name, type 41, payload 1232, version 0, and one 4-byte option (a local-use code, no data).
        var packet = Query("www.example.com", additional: edns ? [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 4, 0xFD, 0xE9, 0, 0] : null);
        byte[] padded = [.. packet, .. new byte[extra]];
        Assert.Equal(ReturnCode.NoError, Ask(packet).ReturnCode);

        var n = _responder.Respond(padded, padded.Length, _output, tcp: false);

        Assert.Equal(12, n);
        Assert.Equal(1, _output[3] & 0x0F);
    }

    [Fact]
    public void Respond_OptOwnerPointingAtItself_IsFormerr()
    {
        var plain = Query("www.example.com");
        var packet = Query("www.example.com", additional: [0xC0, (byte)plain.Length, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]);

        var n = _responder.Respond(packet, packet.Length, _output, tcp: false);

        Assert.Equal(12, n);
        Assert.Equal(1, _output[3] & 0x0F);
    }
}

using Tandem.Dns;

namespace Tandem.FunctionalTests.Dns;

/// <summary>Real dig against a running DNS node: every record type, negative answers, truncation and TCP, refusal.</summary>
public sealed class DnsServingTests : IAsyncLifetime
{
    private HealthTarget _health = null!;
    private DnsHost _dns = null!;

    public async Task InitializeAsync()
    {
        _health = await HealthTarget.StartAsync();
        _dns = await DnsRig.StartAsync(DnsRig.ZoneJson(_health.Port));
    }

    public async Task DisposeAsync()
    {
        await _dns.DisposeAsync();
        await _health.DisposeAsync();
    }

    [Theory]
    [InlineData("example.test", "SOA", "ns1.example.test. hostmaster.example.test. 2026112601 3600 600 604800 30")]
    [InlineData("example.test", "NS", "ns1.example.test.|ns2.example.test.")]
    [InlineData("ns1.example.test", "A", "127.0.0.1")]
    [InlineData("v6.example.test", "AAAA", "2001:db8::1|2001:db8::2")]
    [InlineData("blog.example.test", "CNAME", "www.example.test.")]
    [InlineData("example.test", "TXT", "\"v=spf1 -all\"")]
    [InlineData("example.test", "MX", "10 mail.example.test.|20 mail2.example.test.")]
    [InlineData("example.test", "CAA", "0 issue \"letsencrypt.org\"")]
    [InlineData("www.example.test", "A", "192.0.2.1")]
    [InlineData("example.test", "A", "192.0.2.1")]
    [InlineData("edge.example.test", "A", "127.0.0.7")]
    [InlineData("pool.example.test", "A", "192.0.2.11|192.0.2.12")]
    public async Task Dig_EveryRecordType_AnswersAuthoritatively(string name, string type, string expected)
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, name, type);

        Assert.Equal("NOERROR", reply.Status);
        Assert.True(reply.Has("aa"), reply.Raw);
        Assert.False(reply.Has("ra"), reply.Raw);
        var answers = reply.Answer.Where(r => r.Type == type).Select(r => r.Data).Order(StringComparer.Ordinal);
        Assert.Equal(expected.Split('|').Order(StringComparer.Ordinal), answers);
        Assert.All(reply.Answer.Where(r => r.Type == type), r => Assert.Equal(name + ".", r.Name, ignoreCase: true));
    }

    [Fact]
    public async Task Dig_CnameForAnotherType_FollowsTheChainInTheZone()
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, "blog.example.test", "A");

        Assert.Equal("NOERROR", reply.Status);
        Assert.Equal(["CNAME", "A"], reply.Answer.Select(r => r.Type));
        Assert.Equal("192.0.2.1", reply.Answer[1].Data);
    }

    [Fact]
    public async Task Dig_MixedCaseName_AnswersAsLowerCase()
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, "WwW.Example.TEST", "A");

        Assert.Equal("NOERROR", reply.Status);
        Assert.Equal("192.0.2.1", Assert.Single(reply.Answer).Data);
    }

    [Fact]
    public async Task Dig_RoutedSet_UsesItsShortTtl()
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, "www.example.test", "A");

        Assert.Equal(20, Assert.Single(reply.Answer).Ttl);
    }

    [Theory]
    [InlineData("example.test", 20)]       // no ttl: the TTL of www, its target
    [InlineData("short.example.test", 7)]  // its own ttl
    [InlineData("edge.example.test", 30)]  // an edge's address: the routed default
    public async Task Dig_Alias_UsesItsOwnTtlElseItsTargets(string name, int ttl)
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, name, "A");

        Assert.Equal("NOERROR", reply.Status);
        Assert.Equal(ttl, Assert.Single(reply.Answer).Ttl);
    }

    [Fact]
    public async Task Dig_NameThatDoesNotExist_IsNxdomainWithTheSoa()
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, "nope.example.test", "A");

        Assert.Equal("NXDOMAIN", reply.Status);
        Assert.True(reply.Has("aa"));
        Assert.Empty(reply.Answer);
        var soa = Assert.Single(reply.Authority);
        Assert.Equal("SOA", soa.Type);
        Assert.Equal(30, soa.Ttl); // the lesser of the SOA's TTL and its negative TTL (RFC 2308)
    }

    [Theory]
    [InlineData("www.example.test", "AAAA")]
    [InlineData("example.test", "AAAA")] // the apex ALIAS's target has no AAAA
    [InlineData("deep.example.test", "A")] // an empty non-terminal: a.b.deep exists below it
    [InlineData("b.deep.example.test", "TXT")]
    public async Task Dig_NameWithoutThatType_IsNodataWithTheSoa(string name, string type)
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, name, type);

        Assert.Equal("NOERROR", reply.Status);
        Assert.Empty(reply.Answer);
        Assert.Equal("SOA", Assert.Single(reply.Authority).Type);
    }

    [Fact]
    public async Task Dig_AnswerTooBigForUdp_IsTruncatedThenServedWholeOverTcp()
    {
        var udpOnly = await Dig.QueryAsync(_dns.Endpoint, "big.example.test", "TXT", "+ignore");
        Assert.True(udpOnly.Has("tc"), udpOnly.Raw);

        var plain = await Dig.QueryAsync(_dns.Endpoint, "big.example.test", "TXT");
        Assert.True(plain.RetriedOverTcp, plain.Raw);
        Assert.False(plain.Has("tc"));
        var txt = Assert.Single(plain.Answer);
        Assert.All(DnsRig.BigTxt, t => Assert.Contains(t, txt.Data, StringComparison.Ordinal));

        var tcp = await Dig.QueryAsync(_dns.Endpoint, "big.example.test", "TXT", "+tcp");
        Assert.Equal("NOERROR", tcp.Status);
        Assert.Single(tcp.Answer);
    }

    [Fact]
    public async Task Dig_WithoutEdns_GetsA512ByteLimitAndNoOpt()
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, "big.example.test", "TXT", "+noedns", "+ignore");

        Assert.True(reply.Has("tc"));
        Assert.DoesNotContain("EDNS:", reply.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dig_WithEdns_EchoesOptWithThePayloadSize()
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, "www.example.test", "A", "+bufsize=4096");

        Assert.Contains("EDNS: version: 0", reply.Raw, StringComparison.Ordinal);
        Assert.Contains("udp: 1232", reply.Raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.org", "A")]
    [InlineData("com", "NS")]
    [InlineData(".", "NS")]
    public async Task Dig_OtherZone_IsRefusedWithoutRecursion(string name, string type)
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, name, type, "+rec");

        Assert.Equal("REFUSED", reply.Status);
        Assert.False(reply.Has("aa"));
        Assert.False(reply.Has("ra"));
        Assert.Empty(reply.Answer);
    }

    [Fact]
    public async Task Dig_OverTcp_AnswersTheSame()
    {
        var reply = await Dig.QueryAsync(_dns.Endpoint, "example.test", "MX", "+tcp");

        Assert.Equal("NOERROR", reply.Status);
        Assert.Equal(2, reply.Answer.Count);
    }

    [Fact]
    public async Task Metrics_AfterQueries_CountByTypeAndRcode()
    {
        await Dig.QueryAsync(_dns.Endpoint, "nope.example.test", "A");
        await Dig.QueryAsync(_dns.Endpoint, "www.example.test", "A");

        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(_dns.MetricsUrl, "/metrics"));
        Assert.Contains("tandem_dns_queries_total{rcode=\"NXDOMAIN\",type=\"A\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("tandem_dns_health_check_healthy{check=\"primary-edge\"} 1", text, StringComparison.Ordinal);
        Assert.Equal(1, await DnsRig.AnswerCountAsync(_dns, "www.example.test A", "primary 192.0.2.1"));
        Assert.Equal(0, await DnsRig.AnswerCountAsync(_dns, "www.example.test A", "secondary 198.51.100.1"));
        var status = await http.GetStringAsync(new Uri(_dns.MetricsUrl, "/status"));
        Assert.Contains("\"healthChecks\"", status, StringComparison.Ordinal);
    }
}

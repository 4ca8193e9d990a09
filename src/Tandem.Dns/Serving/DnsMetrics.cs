using System.Diagnostics.Metrics;
using ARSoft.Tools.Net.Dns;

namespace Tandem.Dns.Serving;

/// <summary>
/// Query counts by type and rcode, kept in a fixed array so that counting a query allocates
/// nothing; the exporter reads them at scrape time through observable counters.
/// </summary>
public sealed class DnsMetrics
{
    /// <summary>Query types counted by name; every other type counts as "other".</summary>
    public static readonly RecordType[] Types = [RecordType.A, RecordType.Aaaa, RecordType.CName, RecordType.Txt, RecordType.Mx, RecordType.CAA, RecordType.Ns, RecordType.Soa, RecordType.Any];

    private static readonly string[] TypeNames = ["A", "AAAA", "CNAME", "TXT", "MX", "CAA", "NS", "SOA", "ANY", "other"];
    private const int Rcodes = 24;
    private readonly long[] _queries = new long[TypeNames.Length * Rcodes];
    private long _dropped;

    public DnsMetrics(Meter meter)
    {
        meter.CreateObservableCounter("tandem_dns_queries_total", ObserveQueries, description: "DNS queries answered, by query type and response code.");
        meter.CreateObservableCounter("tandem_dns_dropped_total", () => Interlocked.Read(ref _dropped), description: "Packets dropped without an answer: shorter than a DNS header, or themselves responses (other malformed packets are answered FORMERR and counted in tandem_dns_queries_total).");
    }

    /// <summary>Total queries answered.</summary>
    public long Total => Queries().Sum(q => q.Count);

    /// <summary>Packets dropped without an answer: shorter than a header, or responses.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void CountQuery(RecordType type, ReturnCode rcode)
    {
        var t = Array.IndexOf(Types, type);
        var row = t < 0 ? TypeNames.Length - 1 : t;
        var code = Math.Clamp((int)rcode, 0, Rcodes - 1);
        Interlocked.Increment(ref _queries[(row * Rcodes) + code]);
    }

    public void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>Non-zero counts as (type, rcode name, count).</summary>
    public IEnumerable<(string Type, string Rcode, long Count)> Queries()
    {
        for (var i = 0; i < _queries.Length; i++)
        {
            var n = Interlocked.Read(ref _queries[i]);
            if (n > 0)
            {
                yield return (TypeNames[i / Rcodes], RcodeName(i % Rcodes), n);
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveQueries() =>
        Queries().Select(q => new Measurement<long>(q.Count, new KeyValuePair<string, object?>("type", q.Type), new KeyValuePair<string, object?>("rcode", q.Rcode)));

    private static string RcodeName(int code) => code switch
    {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        16 => "BADVERS",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

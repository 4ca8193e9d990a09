using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Tandem.Dns.Zones;

namespace Tandem.Dns.Serving;

/// <summary>
/// Answers one query from the current <see cref="AnswerTable"/>: authoritative data for the
/// configured zones, REFUSED for every other name (no recursion). The table is read through one
/// volatile reference, so a health change swaps it while queries keep running.
/// </summary>
public sealed class DnsResponder(Func<AnswerTable> table, DnsMetrics metrics)
{
    /// <summary>
    /// Largest UDP answer offered to EDNS clients: 1232 bytes, the DNS Flag Day 2020 figure that
    /// avoids IP fragmentation on common paths. Larger answers are truncated and the client
    /// retries over TCP.
    /// </summary>
    public const ushort MaxUdpPayload = 1232;

    // A CNAME chain longer than this inside one zone is a loop or a mistake; stop following it.
    private const int MaxCnameHops = 8;

    /// <summary>Builds the response to <paramref name="query"/>.</summary>
    public DnsMessage Respond(DnsMessage query)
    {
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = false;
        if (query.IsEDnsEnabled)
        {
            if (query.EDnsOptions!.Version != 0)
            {
                // RFC 6891 section 6.1.3: an unknown EDNS version gets BADVERS with our OPT.
                response.EDnsOptions = new OptRecord(MaxUdpPayload);
                response.ReturnCode = ReturnCode.BadVersion;
                return Count(query, response);
            }

            var size = Math.Clamp(query.EDnsOptions.UdpPayloadSize, (ushort)512, MaxUdpPayload);
            response.EDnsOptions = new OptRecord(size);
        }

        if (!query.IsQuery || query.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = query.IsQuery ? ReturnCode.NotImplemented : ReturnCode.FormatError;
            return Count(query, response);
        }

        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return Count(query, response);
        }

        var question = query.Questions[0];
        var zone = question.RecordClass is RecordClass.INet or RecordClass.Any ? table().FindZone(question.Name) : null;
        if (zone is null || question.RecordType is RecordType.Axfr or RecordType.Ixfr)
        {
            // Not ours (and zone transfers are not offered): refuse rather than recurse.
            response.ReturnCode = ReturnCode.Refused;
            return Count(query, response);
        }

        response.IsAuthoritiveAnswer = true;
        Answer(zone, question.Name, question.RecordType, response, 0);
        return Count(query, response);
    }

    private static void Answer(ZoneTable zone, DomainName name, RecordType type, DnsMessage response, int hops)
    {
        if (!zone.Nodes.TryGetValue(name, out var node))
        {
            response.ReturnCode = ReturnCode.NxDomain;
            response.AuthorityRecords.Add(zone.Model.NegativeSoa);
            return;
        }

        if (type == RecordType.Any)
        {
            foreach (var set in node.Sets.Values)
            {
                Add(set, response);
            }
        }
        else if (node.Sets.TryGetValue(type, out var set))
        {
            Add(set, response);
            return;
        }
        else if (node.Sets.TryGetValue(RecordType.CName, out var cname))
        {
            Add(cname, response);
            var target = ((CNameRecord)cname.Records[0]).CanonicalName;
            if (hops < MaxCnameHops && target.IsEqualOrSubDomainOf(zone.Model.Apex))
            {
                Answer(zone, target, type, response, hops + 1);
            }

            return;
        }

        if (response.AnswerRecords.Count == 0)
        {
            // NODATA: the name exists without records of this type.
            response.AuthorityRecords.Add(zone.Model.NegativeSoa);
        }
    }

    private static void Add(AnswerSet set, DnsMessage response)
    {
        response.AnswerRecords.AddRange(set.Records);
        if (set.Counters is { } counters)
        {
            foreach (var c in counters)
            {
                c.Increment();
            }
        }
    }

    private DnsMessage Count(DnsMessage query, DnsMessage response)
    {
        metrics.CountQuery(query.Questions.Count > 0 ? query.Questions[0].RecordType : RecordType.Invalid, response.ReturnCode);
        return response;
    }
}

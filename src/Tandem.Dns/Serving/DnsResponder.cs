using System.Buffers.Binary;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Tandem.Dns.Zones;

namespace Tandem.Dns.Serving;

/// <summary>
/// Turns one query packet into one response packet. ARSoft.Tools.Net parses the query (every
/// malformed case, compression loops included, is its parser's job, except bytes past the last
/// record, which it ignores and <see cref="MessageEnd"/> catches); the answer is written
/// straight from the pre-encoded records of the current <see cref="AnswerTable"/>, which is read
/// through one volatile reference, so a health change swaps it while queries keep running.
/// Answers are authoritative for the configured zones; every other name is REFUSED (no recursion).
/// </summary>
public sealed class DnsResponder(Func<AnswerTable> table, DnsMetrics metrics)
{
    /// <summary>
    /// Largest UDP answer offered to EDNS clients: 1232 bytes, the DNS Flag Day 2020 figure that
    /// avoids IP fragmentation on common paths. Larger answers are truncated (TC) and the client
    /// retries over TCP.
    /// </summary>
    public const ushort MaxUdpPayload = 1232;

    /// <summary>The classic UDP limit for clients without EDNS (RFC 1035 section 4.2.1).</summary>
    public const int ClassicUdpPayload = 512;

    /// <summary>Largest message: what a TCP length prefix can carry.</summary>
    public const int MaxMessage = 65535;

    // A CNAME chain longer than this inside one zone is a loop or a mistake; stop following it.
    private const int MaxCnameHops = 8;
    private const int HeaderLength = 12;
    private const int OptLength = 11;

    [ThreadStatic]
    private static List<WireRecord>? _answers;

    /// <summary>
    /// Writes the response to <paramref name="length"/> bytes of <paramref name="packet"/> into
    /// <paramref name="output"/> (at least <see cref="MaxMessage"/> bytes) and returns its length,
    /// or 0 when the packet deserves no answer (shorter than a header, or itself a response).
    /// </summary>
    public int Respond(byte[] packet, int length, Span<byte> output, bool tcp)
    {
        if (length < HeaderLength || (packet[2] & 0x80) != 0)
        {
            // Too short to say who asked, or a response: answering responses invites loops.
            metrics.CountDropped();
            return 0;
        }

        DnsMessage query;
        try
        {
            query = DnsMessage.Parse(new ArraySegment<byte>(packet, 0, length));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            metrics.CountQuery(RecordType.Invalid, ReturnCode.FormatError);
            return Error(packet, output, ReturnCode.FormatError);
        }

        var opcode = (packet[2] >> 3) & 0x0F;
        if (opcode != (int)OperationCode.Query)
        {
            metrics.CountQuery(RecordType.Invalid, ReturnCode.NotImplemented);
            return Error(packet, output, ReturnCode.NotImplemented);
        }

        var questionEnd = QuestionEnd(packet, length);
        if (query.Questions.Count != 1 || questionEnd < 0 || MessageEnd(packet, length, questionEnd) != length)
        {
            // One question, and nothing past the records the header counts: trailing or
            // oversized junk is a malformed message (RFC 1035 section 4.1), not a query.
            metrics.CountQuery(RecordType.Invalid, ReturnCode.FormatError);
            return Error(packet, output, ReturnCode.FormatError);
        }

        var question = query.Questions[0];
        var limit = tcp ? MaxMessage : ClassicUdpPayload;
        var edns = query.IsEDnsEnabled;
        if (edns)
        {
            if (query.EDnsOptions!.Version != 0)
            {
                // RFC 6891 section 6.1.3: an unknown EDNS version gets BADVERS with our OPT.
                metrics.CountQuery(question.RecordType, ReturnCode.BadVersion);
                return Write(packet, questionEnd, output, ReturnCode.BadVersion, authoritative: false, [], null, edns: true, MaxMessage);
            }

            if (!tcp)
            {
                limit = Math.Clamp((int)query.EDnsOptions.UdpPayloadSize, ClassicUdpPayload, MaxUdpPayload);
            }
        }

        var zone = question.RecordClass is RecordClass.INet or RecordClass.Any ? table().FindZone(question.Name) : null;
        if (zone is null || question.RecordType is RecordType.Axfr or RecordType.Ixfr)
        {
            // Not ours (and zone transfers are not offered): refuse rather than recurse.
            metrics.CountQuery(question.RecordType, ReturnCode.Refused);
            return Write(packet, questionEnd, output, ReturnCode.Refused, authoritative: false, [], null, edns, limit);
        }

        var answers = _answers ??= new List<WireRecord>(16);
        answers.Clear();
        var rcode = Answer(zone, question.Name, question.RecordType, answers, 0, out var negative);
        metrics.CountQuery(question.RecordType, rcode);
        return Write(packet, questionEnd, output, rcode, authoritative: true, answers, negative ? zone.NegativeSoa : null, edns, limit);
    }

    private static ReturnCode Answer(ZoneTable zone, DomainName name, RecordType type, List<WireRecord> answers, int hops, out bool negative)
    {
        negative = false;
        if (!zone.Nodes.TryGetValue(name, out var node))
        {
            negative = true;
            return ReturnCode.NxDomain;
        }

        if (type == RecordType.Any)
        {
            foreach (var set in node.Sets.Values)
            {
                Add(set, answers);
            }
        }
        else if (node.Sets.TryGetValue(type, out var set))
        {
            Add(set, answers);
        }
        else if (node.Sets.TryGetValue(RecordType.CName, out var cname))
        {
            Add(cname, answers);
            var target = ((CNameRecord)cname.Records[0].Record).CanonicalName;
            if (hops < MaxCnameHops && target.IsEqualOrSubDomainOf(zone.Model.Apex))
            {
                return Answer(zone, target, type, answers, hops + 1, out negative);
            }
        }

        // NODATA: the name exists without records of this type.
        negative = answers.Count == 0;
        return ReturnCode.NoError;
    }

    private static void Add(AnswerSet set, List<WireRecord> answers)
    {
        answers.AddRange(set.Records);
        if (set.Counters is { } counters)
        {
            foreach (var c in counters)
            {
                c.Increment();
            }
        }
    }

    /// <summary>The offset just past the question (name, type, class), or -1 when it is not a plain uncompressed name.</summary>
    private static int QuestionEnd(byte[] packet, int length)
    {
        var i = HeaderLength;
        while (i < length)
        {
            var label = packet[i];
            if (label == 0)
            {
                return i + 5 <= length ? i + 5 : -1;
            }

            if (label > 63)
            {
                return -1; // a pointer (or reserved bits): nothing precedes the question to point at
            }

            i += label + 1;
        }

        return -1;
    }

    /// <summary>
    /// The offset just past the last answer, authority and additional record the header counts,
    /// walking from <paramref name="at"/> (the end of the question), or -1 when they run past
    /// <paramref name="length"/>. Owner names are skipped, not followed, so this costs a few
    /// byte reads per record: nothing for a plain query, one OPT record for an EDNS one.
    /// </summary>
    private static int MessageEnd(byte[] packet, int length, int at)
    {
        var records = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6)) + BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(8)) + BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(10));
        for (var r = 0; r < records; r++)
        {
            while (true)
            {
                if (at >= length)
                {
                    return -1;
                }

                var label = packet[at];
                if (label == 0)
                {
                    at++;
                    break;
                }

                if ((label & 0xC0) == 0xC0)
                {
                    at += 2; // a pointer ends the name
                    break;
                }

                at += label + 1;
            }

            // type, class, TTL, then the RDATA length and the RDATA
            if (at + 10 > length)
            {
                return -1;
            }

            at += 10 + BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(at + 8));
        }

        return at;
    }

    /// <summary>A header-only error answer echoing the id, opcode and RD bit.</summary>
    private static int Error(byte[] packet, Span<byte> output, ReturnCode rcode)
    {
        output[..HeaderLength].Clear();
        output[0] = packet[0];
        output[1] = packet[1];
        output[2] = (byte)(0x80 | (packet[2] & 0x79)); // QR, the opcode and RD as asked
        output[3] = (byte)((int)rcode & 0x0F);
        return HeaderLength;
    }

    private static int Write(byte[] packet, int questionEnd, Span<byte> output, ReturnCode rcode, bool authoritative, List<WireRecord> answers, WireRecord? authority, bool edns, int limit)
    {
        var question = packet.AsSpan(HeaderLength, questionEnd - HeaderLength);
        var qname = question[..^4];
        var size = HeaderLength + question.Length + (edns ? OptLength : 0);
        foreach (var r in answers)
        {
            size += Length(r, qname);
        }

        if (authority is not null)
        {
            size += Length(authority, qname);
        }

        var truncated = size > limit;
        output[0] = packet[0];
        output[1] = packet[1];
        output[2] = (byte)(0x80 | (packet[2] & 0x79) | (authoritative ? 0x04 : 0) | (truncated ? 0x02 : 0));
        output[3] = (byte)((int)rcode & 0x0F); // RA stays clear: no recursion here
        BinaryPrimitives.WriteUInt16BigEndian(output[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(output[6..], (ushort)(truncated ? 0 : answers.Count));
        BinaryPrimitives.WriteUInt16BigEndian(output[8..], (ushort)(truncated || authority is null ? 0 : 1));
        BinaryPrimitives.WriteUInt16BigEndian(output[10..], (ushort)(edns ? 1 : 0));
        question.CopyTo(output[HeaderLength..]);
        var at = HeaderLength + question.Length;
        if (!truncated)
        {
            // RFC 2181 section 9: what does not fit is not sent in part; TC sends the client to TCP.
            foreach (var r in answers)
            {
                at = WriteRecord(r, qname, output, at);
            }

            if (authority is not null)
            {
                at = WriteRecord(authority, qname, output, at);
            }
        }

        if (edns)
        {
            output[at] = 0; // root name
            BinaryPrimitives.WriteUInt16BigEndian(output[(at + 1)..], (ushort)RecordType.Opt);
            BinaryPrimitives.WriteUInt16BigEndian(output[(at + 3)..], MaxUdpPayload);
            BinaryPrimitives.WriteUInt32BigEndian(output[(at + 5)..], (uint)((int)rcode >> 4) << 24); // extended rcode, version 0
            BinaryPrimitives.WriteUInt16BigEndian(output[(at + 9)..], 0);
            at += OptLength;
        }

        return at;
    }

    // The owner is a pointer to the question when it is the question's name (the usual case).
    private static int Length(WireRecord r, ReadOnlySpan<byte> qname) =>
        (SameName(r.Owner, qname) ? 2 : r.Owner.Length) + 10 + r.Rdata.Length;

    private static int WriteRecord(WireRecord r, ReadOnlySpan<byte> qname, Span<byte> output, int at)
    {
        if (SameName(r.Owner, qname))
        {
            output[at++] = 0xC0;
            output[at++] = HeaderLength;
        }
        else
        {
            r.Owner.CopyTo(output[at..]);
            at += r.Owner.Length;
        }

        BinaryPrimitives.WriteUInt16BigEndian(output[at..], r.Type);
        BinaryPrimitives.WriteUInt16BigEndian(output[(at + 2)..], 1); // class IN
        BinaryPrimitives.WriteUInt32BigEndian(output[(at + 4)..], r.Ttl);
        BinaryPrimitives.WriteUInt16BigEndian(output[(at + 8)..], (ushort)r.Rdata.Length);
        r.Rdata.CopyTo(output[(at + 10)..]);
        return at + 10 + r.Rdata.Length;
    }

    // Owners are stored lower-case; the question keeps the case it was asked in (0x20 resolvers rely on that).
    private static bool SameName(ReadOnlySpan<byte> owner, ReadOnlySpan<byte> qname)
    {
        if (owner.Length != qname.Length)
        {
            return false;
        }

        for (var i = 0; i < owner.Length; i++)
        {
            var q = qname[i];
            if (owner[i] != (q is >= (byte)'A' and <= (byte)'Z' ? (byte)(q | 0x20) : q))
            {
                return false;
            }
        }

        return true;
    }
}

using System.Buffers.Binary;
using System.Text;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Tandem.Dns.Serving;

/// <summary>
/// One resource record with its RDATA already in wire form, made once when the answer table is
/// built, so answering a query copies bytes and allocates nothing. Names inside RDATA are written
/// uncompressed (RFC 3597 section 4 allows it for every type).
/// </summary>
public sealed class WireRecord
{
    private WireRecord(DnsRecordBase record, byte[] owner, byte[] rdata)
    {
        Record = record;
        Owner = owner;
        Rdata = rdata;
        Type = (ushort)record.RecordType;
        Ttl = (uint)Math.Max(0, record.TimeToLive);
    }

    /// <summary>The record as the library models it (owner name, CNAME target, presentation form).</summary>
    public DnsRecordBase Record { get; }

    /// <summary>The owner name in wire form, lower-case.</summary>
    public byte[] Owner { get; }

    public ushort Type { get; }

    public uint Ttl { get; }

    public byte[] Rdata { get; }

    /// <summary>Bytes this record takes in a message when its owner is written in full.</summary>
    public int MaxLength => Owner.Length + 10 + Rdata.Length;

    public static WireRecord From(DnsRecordBase record) => new(record, Name(record.Name), Encode(record));

    /// <summary>A name in wire form: length-prefixed lower-case labels and the root's zero byte.</summary>
    public static byte[] Name(DomainName name)
    {
        var bytes = new List<byte>(64);
        foreach (var label in name.Labels)
        {
            var b = Encoding.ASCII.GetBytes(label.ToLowerInvariant());
            bytes.Add((byte)b.Length);
            bytes.AddRange(b);
        }

        bytes.Add(0);
        return [.. bytes];
    }

    private static byte[] Encode(DnsRecordBase record)
    {
        switch (record)
        {
            case ARecord a:
                return a.Address.GetAddressBytes();
            case AaaaRecord a:
                return a.Address.GetAddressBytes();
            case CNameRecord c:
                return Name(c.CanonicalName);
            case NsRecord n:
                return Name(n.NameServer);
            case MxRecord m:
                return [(byte)(m.Preference >> 8), (byte)m.Preference, .. Name(m.ExchangeDomainName)];
            case TextRecordBase t:
                var txt = new List<byte>();
                foreach (var part in t.TextParts)
                {
                    var b = Encoding.UTF8.GetBytes(part);
                    txt.Add((byte)b.Length);
                    txt.AddRange(b);
                }

                return [.. txt];
            case CAARecord c:
                var tag = Encoding.ASCII.GetBytes(c.Tag);
                return [c.Flags, (byte)tag.Length, .. tag, .. Encoding.UTF8.GetBytes(c.Value)];
            case SoaRecord s:
                var soa = new byte[20];
                BinaryPrimitives.WriteUInt32BigEndian(soa, s.SerialNumber);
                BinaryPrimitives.WriteInt32BigEndian(soa.AsSpan(4), s.RefreshInterval);
                BinaryPrimitives.WriteInt32BigEndian(soa.AsSpan(8), s.RetryInterval);
                BinaryPrimitives.WriteInt32BigEndian(soa.AsSpan(12), s.ExpireInterval);
                BinaryPrimitives.WriteInt32BigEndian(soa.AsSpan(16), s.NegativeCachingTTL);
                return [.. Name(s.MasterName), .. Name(s.ResponsibleName), .. soa];
            default:
                throw new NotSupportedException($"record type {record.RecordType} is not served");
        }
    }
}

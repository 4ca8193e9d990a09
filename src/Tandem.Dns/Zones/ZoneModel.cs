using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Tandem.Core.Configuration;

namespace Tandem.Dns.Zones;

/// <summary>How a routed record set picks its answers.</summary>
public enum RoutingPolicy
{
    /// <summary>Route 53 failover: the primary while healthy, else a healthy secondary, else the primary.</summary>
    Failover,

    /// <summary>Route 53 multivalue answer: every healthy target; every target when none is healthy.</summary>
    Multivalue,
}

/// <summary>Counts how often one target was answered; kept across health changes.</summary>
public sealed class TargetCounter(string recordSet, string target)
{
    private long _count;

    public string RecordSet { get; } = recordSet;

    public string Target { get; } = target;

    public long Count => Interlocked.Read(ref _count);

    internal void Increment() => Interlocked.Increment(ref _count);
}

/// <summary>A target of a routed set: an address and the health check (index, or -1 for none) it depends on.</summary>
public sealed record RoutedTarget(IPAddress Address, int Check, TargetCounter Counter);

/// <summary>One record set of a zone as configured, before health picks answers.</summary>
public abstract record SetModel(DomainName Name, RecordType Type, int Ttl);

/// <summary>Records whose values never change.</summary>
public sealed record FixedSet(DomainName Name, RecordType Type, int Ttl, DnsRecordBase[] Records) : SetModel(Name, Type, Ttl);

/// <summary>A failover or multivalue set of A or AAAA targets.</summary>
public sealed record RoutedSet(DomainName Name, RecordType Type, int Ttl, RoutingPolicy Policy, RoutedTarget[] Targets) : SetModel(Name, Type, Ttl);

/// <summary>
/// An ALIAS: answered for A and AAAA with the addresses of another name of the zone, or a fixed
/// address. <paramref name="OwnTtl"/> is the record's configured TTL; without one, an alias of a
/// name takes that name's TTL (as Route 53's alias records do) and an alias of an edge
/// <see cref="ZoneModelBuilder.RoutedDefaultTtl"/>.
/// </summary>
public sealed record AliasSet(DomainName Name, int? OwnTtl, DomainName? Target, IPAddress? Address)
    : SetModel(Name, RecordType.A, OwnTtl ?? ZoneModelBuilder.RoutedDefaultTtl);

/// <summary>A zone as configured: SOA, apex NS and its record sets.</summary>
public sealed record ZoneModel(DomainName Apex, SoaRecord Soa, SoaRecord NegativeSoa, NsRecord[] NameServers, IReadOnlyList<SetModel> Sets);

/// <summary>Builds zone models from a validated config.</summary>
public static class ZoneModelBuilder
{
    /// <summary>Default TTL of failover and multivalue sets: short, so resolvers follow a failover quickly.</summary>
    public const int RoutedDefaultTtl = 30;

    /// <param name="config">A config that passed <see cref="ConfigValidator"/>.</param>
    /// <param name="checkIndex">Index of each health check by name.</param>
    public static List<ZoneModel> Build(TandemConfig config, IReadOnlyDictionary<string, int> checkIndex)
    {
        var zones = new List<ZoneModel>();
        foreach (var (zoneName, zone) in config.Dns.Zones)
        {
            var apex = DomainName.Parse(zoneName.TrimEnd('.'));
            var nsNames = zone.NameServers.Count > 0 ? zone.NameServers : ["ns1." + apex];
            var ns = nsNames.Select(n => new NsRecord(apex, zone.Soa.Ttl, Absolute(n))).ToArray();
            var s = zone.Soa;
            var primary = Absolute(s.PrimaryNameServer ?? nsNames[0]);
            var mailbox = Absolute(s.Mailbox ?? "hostmaster." + apex);
            var soa = new SoaRecord(apex, s.Ttl, primary, mailbox, s.Serial, s.Refresh, s.Retry, s.Expire, s.NegativeTtl);

            // RFC 2308: a negative answer is cached for the lesser of the SOA's TTL and its minimum field.
            var negative = new SoaRecord(apex, Math.Min(s.Ttl, s.NegativeTtl), primary, mailbox, s.Serial, s.Refresh, s.Retry, s.Expire, s.NegativeTtl);
            var sets = new List<SetModel>();
            foreach (var r in zone.Records)
            {
                sets.Add(BuildSet(config, apex, zone, r, checkIndex));
            }

            zones.Add(new ZoneModel(apex, soa, negative, ns, sets));
        }

        return zones;
    }

    private static SetModel BuildSet(TandemConfig config, DomainName apex, DnsZoneConfig zone, DnsRecordConfig r, IReadOnlyDictionary<string, int> checkIndex)
    {
        var name = Relative(apex, r.Name);
        var type = r.Type.ToUpperInvariant();
        if (type == "ALIAS")
        {
            IPAddress? address = null;
            if (r.Edge is { } edge)
            {
                DnsEdgeAddress.TryResolve(config, edge, out address, out _);
            }

            return new AliasSet(name, r.Ttl, r.Alias is { } a ? Relative(apex, a) : null, address);
        }

        var recordType = type switch
        {
            "A" => RecordType.A,
            "AAAA" => RecordType.Aaaa,
            "CNAME" => RecordType.CName,
            "TXT" => RecordType.Txt,
            "MX" => RecordType.Mx,
            "CAA" => RecordType.CAA,
            _ => RecordType.Ns,
        };
        var label = $"{name.ToString().TrimEnd('.')} {type}";
        if (r.Failover is { } f)
        {
            return new RoutedSet(name, recordType, r.Ttl ?? RoutedDefaultTtl, RoutingPolicy.Failover,
                [Target(config, label, "primary", type, f.Primary!, checkIndex), Target(config, label, "secondary", type, f.Secondary!, checkIndex)]);
        }

        if (r.Multivalue is { } targets)
        {
            return new RoutedSet(name, recordType, r.Ttl ?? RoutedDefaultTtl, RoutingPolicy.Multivalue,
                [.. targets.Select((t, i) => Target(config, label, $"target{i}", type, t, checkIndex))]);
        }

        var ttl = r.Ttl ?? zone.DefaultTtl;
        var records = recordType switch
        {
            RecordType.Txt => [new TxtRecord(name, ttl, r.Values.SelectMany(DnsRecordValues.TxtChunks))],
            _ => r.Values.Select(v => Fixed(name, ttl, type, v)).ToArray(),
        };
        return new FixedSet(name, recordType, ttl, records);
    }

    private static DnsRecordBase Fixed(DomainName name, int ttl, string type, string value)
    {
        switch (type)
        {
            case "A":
                return new ARecord(name, ttl, IPAddress.Parse(value));
            case "AAAA":
                return new AaaaRecord(name, ttl, IPAddress.Parse(value));
            case "CNAME":
                return new CNameRecord(name, ttl, Absolute(value));
            case "NS":
                return new NsRecord(name, ttl, Absolute(value));
            case "MX":
                DnsRecordValues.TryMx(value, out var preference, out var exchange);
                return new MxRecord(name, ttl, preference, Absolute(exchange));
            case "CAA":
                DnsRecordValues.TryCaa(value, out var flags, out var tag, out var caaValue);
                return new CAARecord(name, ttl, flags, tag, caaValue);
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "not a fixed record type");
        }
    }

    private static RoutedTarget Target(TandemConfig config, string label, string role, string type, DnsTargetConfig t, IReadOnlyDictionary<string, int> checkIndex)
    {
        IPAddress address;
        if (t.Edge is { } edge)
        {
            DnsEdgeAddress.TryResolve(config, edge, out address, out _);
        }
        else
        {
            DnsRecordValues.TryAddress(type, t.Value, out address);
        }

        var check = t.HealthCheck is { } c ? checkIndex[c] : -1;
        return new RoutedTarget(address, check, new TargetCounter(label, $"{role} {address}"));
    }

    internal static DomainName Relative(DomainName apex, string name) =>
        name == "@" ? apex : DomainName.Parse(name + "." + apex);

    internal static DomainName Absolute(string name) => DomainName.Parse(name.TrimEnd('.'));
}

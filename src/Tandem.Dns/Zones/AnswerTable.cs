using System.Collections.Frozen;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Tandem.Dns.Serving;

namespace Tandem.Dns.Zones;

/// <summary>
/// Every answer the server can give, for one health state: built off the query path whenever a
/// health check changes state, then swapped in whole, so queries read it without locks.
/// </summary>
public sealed class AnswerTable
{
    private readonly ZoneTable[] _zones;

    private AnswerTable(ZoneTable[] zones) => _zones = zones;

    /// <summary>The zones, longest apex first so that the first match is the closest enclosing zone.</summary>
    public IReadOnlyList<ZoneTable> Zones => _zones;

    /// <summary>The zone that <paramref name="name"/> belongs to, or null when this server is not authoritative for it.</summary>
    public ZoneTable? FindZone(DomainName name)
    {
        foreach (var zone in _zones)
        {
            if (name.IsEqualOrSubDomainOf(zone.Model.Apex))
            {
                return zone;
            }
        }

        return null;
    }

    /// <summary>Builds the table for <paramref name="healthy"/> (by health check index).</summary>
    public static AnswerTable Build(IReadOnlyList<ZoneModel> models, IReadOnlyList<bool> healthy) =>
        new([.. models.OrderByDescending(m => m.Apex.LabelCount).Select(m => ZoneTable.Build(m, healthy))]);
}

/// <summary>One zone's names and record sets.</summary>
public sealed class ZoneTable
{
    private ZoneTable(ZoneModel model, FrozenDictionary<DomainName, NameNode> nodes)
    {
        Model = model;
        Nodes = nodes;
        NegativeSoa = WireRecord.From(model.NegativeSoa);
    }

    public ZoneModel Model { get; }

    /// <summary>The SOA sent with NXDOMAIN and NODATA answers, with the negative-caching TTL.</summary>
    public WireRecord NegativeSoa { get; }

    /// <summary>Every name that exists in the zone, including empty non-terminals (names with records only below them).</summary>
    public FrozenDictionary<DomainName, NameNode> Nodes { get; }

    internal static ZoneTable Build(ZoneModel model, IReadOnlyList<bool> healthy)
    {
        var nodes = new Dictionary<DomainName, Dictionary<RecordType, AnswerSet>>();
        Dictionary<RecordType, AnswerSet> Node(DomainName name)
        {
            if (!nodes.TryGetValue(name, out var sets))
            {
                nodes[name] = sets = [];
                for (var parent = name; !parent.Equals(model.Apex) && parent.LabelCount > model.Apex.LabelCount;)
                {
                    parent = parent.GetParentName();
                    if (!nodes.ContainsKey(parent))
                    {
                        nodes[parent] = [];
                    }
                }
            }

            return sets;
        }

        Node(model.Apex)[RecordType.Soa] = new AnswerSet([model.Soa], null);
        Node(model.Apex)[RecordType.Ns] = new AnswerSet(model.NameServers, null);
        foreach (var set in model.Sets)
        {
            switch (set)
            {
                case FixedSet f:
                    Node(f.Name)[f.Type] = new AnswerSet(f.Records, null);
                    break;
                case RoutedSet r:
                    var chosen = TargetSelection.Select(r.Policy, r.Targets, healthy);
                    Node(r.Name)[r.Type] = new AnswerSet(
                        [.. chosen.Select(t => r.Type == RecordType.A ? (DnsRecordBase)new ARecord(r.Name, r.Ttl, t.Address) : new AaaaRecord(r.Name, r.Ttl, t.Address))],
                        [.. chosen.Select(t => t.Counter)]);
                    break;
            }
        }

        // Aliases last: they copy the addresses chosen above, so they follow failover too.
        foreach (var alias in model.Sets.OfType<AliasSet>())
        {
            var sets = Node(alias.Name);
            if (alias.Address is { } address)
            {
                sets[address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? RecordType.Aaaa : RecordType.A] =
                    new AnswerSet([address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? new AaaaRecord(alias.Name, alias.Ttl, address) : new ARecord(alias.Name, alias.Ttl, address)], null);
                continue;
            }

            if (!nodes.TryGetValue(alias.Target!, out var target))
            {
                continue;
            }

            foreach (var type in (ReadOnlySpan<RecordType>)[RecordType.A, RecordType.Aaaa])
            {
                if (target.TryGetValue(type, out var t))
                {
                    // The copies carry this name, and the alias's own TTL if it has one, else the
                    // target's (as Route 53 gives an alias record its target's TTL).
                    sets[type] = new AnswerSet([.. t.Records.Select(rec => Rename(rec.Record, alias.Name, alias.OwnTtl))], t.Counters);
                }
            }
        }

        return new ZoneTable(model, nodes.ToFrozenDictionary(n => n.Key, n => new NameNode(n.Value.ToFrozenDictionary())));
    }

    private static DnsRecordBase Rename(DnsRecordBase record, DomainName name, int? ttl) => record switch
    {
        ARecord a => new ARecord(name, ttl ?? a.TimeToLive, a.Address),
        AaaaRecord a => new AaaaRecord(name, ttl ?? a.TimeToLive, a.Address),
        _ => record,
    };
}

/// <summary>The record sets of one name, by type; empty for an empty non-terminal.</summary>
public sealed record NameNode(FrozenDictionary<RecordType, AnswerSet> Sets);

/// <summary>The records answered for one name and type, and the counters of the targets they came from (routed sets only).</summary>
public sealed class AnswerSet(DnsRecordBase[] records, TargetCounter[]? counters)
{
    /// <summary>The records in wire form.</summary>
    public WireRecord[] Records { get; } = [.. records.Select(WireRecord.From)];

    public TargetCounter[]? Counters { get; } = counters;
}

/// <summary>
/// The answer table in force. Queries read <see cref="Current"/> without locking; a health change
/// builds a whole new table off the query path and swaps the reference.
/// </summary>
public sealed class AnswerSource(IReadOnlyList<ZoneModel> zones, IReadOnlyList<bool> healthy)
{
    private readonly Lock _rebuild = new();
    private AnswerTable _current = AnswerTable.Build(zones, healthy);

    public IReadOnlyList<ZoneModel> Zones => zones;

    public AnswerTable Current => Volatile.Read(ref _current);

    public void Rebuild(IReadOnlyList<bool> healthy)
    {
        lock (_rebuild)
        {
            Volatile.Write(ref _current, AnswerTable.Build(zones, healthy));
        }
    }
}

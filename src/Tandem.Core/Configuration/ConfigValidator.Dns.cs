namespace Tandem.Core.Configuration;

public static partial class ConfigValidator
{
    private static readonly string[] HealthCheckTypes = ["http", "https", "tcp"];

    private static void ValidateDns(TandemConfig config, Dictionary<string, string> listeners, List<ConfigError> errors)
    {
        var dns = config.Dns;
        foreach (var (name, node) in dns.Nodes)
        {
            var at = $"$.dns.nodes.{name}";
            if (!NamePattern().IsMatch(name))
            {
                errors.Add(new ConfigError(at, $"DNS node name '{name}' must be 1-63 lower-case letters, digits or '-', starting with a letter"));
            }

            if (node is null)
            {
                errors.Add(new ConfigError(at, "is null; give at least { \"listen\": \"127.0.0.1:5353\" }"));
                continue;
            }

            CheckListen(node.Listen, $"{at}.listen", listeners, errors);
            CheckListen(node.MetricsListen, $"{at}.metricsListen", listeners, errors);
        }

        if (dns.Nodes.Count > 0 && dns.Zones.Count == 0)
        {
            errors.Add(new ConfigError("$.dns.zones", "DNS nodes are defined but no zone for them to serve; add one, such as \"example.com\": { \"records\": [ ... ] }"));
        }

        foreach (var (name, check) in dns.HealthChecks)
        {
            ValidateHealthCheck($"$.dns.healthChecks.{name}", check, errors);
        }

        foreach (var (zone, z) in dns.Zones)
        {
            var at = $"$.dns.zones.{zone}";
            if (DnsRecordValues.CheckHostName(zone) is { } problem)
            {
                errors.Add(new ConfigError(at, $"zone name {problem}"));
            }

            if (z is null)
            {
                errors.Add(new ConfigError(at, "is null; give at least \"records\": []"));
                continue;
            }

            ValidateZone(config, at, z, errors);
        }

        foreach (var (zone, _) in dns.Zones)
        {
            if (dns.Zones.Keys.FirstOrDefault(o => !o.Equals(zone, StringComparison.OrdinalIgnoreCase) && zone.EndsWith("." + o.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)) is { } parent)
            {
                errors.Add(new ConfigError($"$.dns.zones.{zone}", $"is inside zone '{parent}'; put its records in that zone (delegation is not supported)"));
            }
        }
    }

    private static void ValidateHealthCheck(string at, DnsHealthCheckConfig? check, List<ConfigError> errors)
    {
        if (check is null)
        {
            errors.Add(new ConfigError(at, "is null; give at least \"target\""));
            return;
        }

        if (Array.IndexOf(HealthCheckTypes, check.Type) < 0)
        {
            errors.Add(new ConfigError($"{at}.type", $"'{check.Type}' is not a health check type; use http, https or tcp"));
        }

        var isUrl = check.Target.Contains("://", StringComparison.Ordinal);
        if (isUrl)
        {
            if (check.Type == "tcp" || !Uri.TryCreate(check.Target, UriKind.Absolute, out var uri) || uri.Scheme != check.Type)
            {
                errors.Add(new ConfigError($"{at}.target", $"'{check.Target}' must be host:port, or for type {check.Type} a {check.Type}:// URL"));
            }
        }
        else if (!TryHostPort(check.Target))
        {
            errors.Add(new ConfigError($"{at}.target", $"'{check.Target}' is not host:port such as \"127.0.0.1:8081\" (or an http:// URL)"));
        }

        if (!check.Path.StartsWith('/'))
        {
            errors.Add(new ConfigError($"{at}.path", $"'{check.Path}' must start with '/'"));
        }

        if (!DnsRecordValues.TryStatusRange(check.ExpectedStatus, out _, out _))
        {
            errors.Add(new ConfigError($"{at}.expectedStatus", $"'{check.ExpectedStatus}' is not a status or range such as \"200-399\""));
        }

        if (check.BodyContains is { Length: 0 })
        {
            errors.Add(new ConfigError($"{at}.bodyContains", "is empty; remove it or give the text the body must contain"));
        }

        if (check.IntervalMs < 1000)
        {
            errors.Add(new ConfigError($"{at}.intervalMs", $"{check.IntervalMs} is below the minimum of 1000 ms"));
        }

        if (check.TimeoutMs <= 0)
        {
            errors.Add(new ConfigError($"{at}.timeoutMs", "must be a positive number of milliseconds"));
        }

        if (check.FailureThreshold is < 1 or > 10)
        {
            errors.Add(new ConfigError($"{at}.failureThreshold", "must be 1 to 10 checks in a row (Route 53's range)"));
        }

        if (check.RecoveryThreshold is < 1 or > 10)
        {
            errors.Add(new ConfigError($"{at}.recoveryThreshold", "must be 1 to 10 checks in a row"));
        }
    }

    private static bool TryHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535
            && (System.Net.IPAddress.TryParse(value[..colon].Trim('[', ']'), out _) || DnsRecordValues.CheckHostName(value[..colon]) is null);
    }

    private static void ValidateZone(TandemConfig config, string at, DnsZoneConfig zone, List<ConfigError> errors)
    {
        if (zone.DefaultTtl is < 0 or > 604800)
        {
            errors.Add(new ConfigError($"{at}.defaultTtl", "must be 0 to 604800 seconds"));
        }

        for (var i = 0; i < zone.NameServers.Count; i++)
        {
            if (DnsRecordValues.CheckHostName(zone.NameServers[i]) is { } p)
            {
                errors.Add(new ConfigError($"{at}.nameServers[{i}]", p));
            }
        }

        var soa = zone.Soa;
        if (soa.PrimaryNameServer is not null && DnsRecordValues.CheckHostName(soa.PrimaryNameServer) is { } p1)
        {
            errors.Add(new ConfigError($"{at}.soa.primaryNameServer", p1));
        }

        if (soa.Mailbox is not null && DnsRecordValues.CheckHostName(soa.Mailbox) is { } p2)
        {
            errors.Add(new ConfigError($"{at}.soa.mailbox", p2 + "; write the mailbox hostmaster@example.com as \"hostmaster.example.com\""));
        }

        if (soa.Refresh < 0 || soa.Retry < 0 || soa.Expire < 0 || soa.NegativeTtl < 0 || soa.Ttl < 0)
        {
            errors.Add(new ConfigError($"{at}.soa", "times are seconds and cannot be negative"));
        }

        // name -> (type -> record index), to find conflicts
        var seen = new Dictionary<string, Dictionary<string, int>>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < zone.Records.Count; i++)
        {
            var r = zone.Records[i];
            var rat = $"{at}.records[{i}]";
            if (r is null)
            {
                errors.Add(new ConfigError(rat, "is null; give name, type and values"));
                continue;
            }

            // Every error about a record starts with its name and type, so it can be found
            // without counting entries: "records[5].values[1]: (v6 AAAA) '192.0.2.5' is not ...".
            var first = errors.Count;
            ValidateRecord(config, zone, rat, i, r, seen, errors);
            var label = r.Type.Length > 0 ? $"({r.Name} {r.Type.ToUpperInvariant()}) " : $"({r.Name}) ";
            for (var e = first; e < errors.Count; e++)
            {
                errors[e] = errors[e] with { Message = label + errors[e].Message };
            }
        }
    }

    private static void ValidateRecord(TandemConfig config, DnsZoneConfig zone, string rat, int i, DnsRecordConfig r, Dictionary<string, Dictionary<string, int>> seen, List<ConfigError> errors)
    {
        if (DnsRecordValues.CheckRelativeName(r.Name) is { } np)
        {
            errors.Add(new ConfigError($"{rat}.name", np));
        }

        var type = r.Type.ToUpperInvariant();
        if (type != "ALIAS" && Array.IndexOf(DnsRecordValues.FixedTypes, type) < 0)
        {
            errors.Add(new ConfigError($"{rat}.type", $"'{r.Type}' is not a record type Tandem serves; use one of {string.Join(", ", DnsRecordValues.FixedTypes)} or ALIAS"));
            return;
        }

        if (r.Ttl is < 0 or > 604800)
        {
            errors.Add(new ConfigError($"{rat}.ttl", "must be 0 to 604800 seconds"));
        }

        var types = seen.TryGetValue(r.Name, out var t) ? t : seen[r.Name] = new(StringComparer.Ordinal);
        var key = type == "ALIAS" ? "A" : type;
        if (types.TryGetValue(key, out var other) || (type == "ALIAS" && types.TryGetValue("AAAA", out other)))
        {
            errors.Add(new ConfigError(rat, $"is also defined by records[{other}]; put every value of one name and type in one record"));
        }
        else if (type == "CNAME" && types.Count > 0)
        {
            errors.Add(new ConfigError(rat, $"a CNAME cannot sit beside other records of '{r.Name}' (records[{types.Values.First()}]); use ALIAS at the zone apex"));
        }
        else if (types.TryGetValue("CNAME", out var cname))
        {
            errors.Add(new ConfigError(rat, $"'{r.Name}' already has a CNAME (records[{cname}]), which cannot sit beside other records"));
        }

        types[key] = i;
        if (type == "ALIAS")
        {
            types["AAAA"] = i;
        }

        if (type == "CNAME" && r.Name == "@")
        {
            errors.Add(new ConfigError($"{rat}.type", "a CNAME cannot be at the zone apex (it would hide the SOA and NS); use type ALIAS"));
        }

        if (type == "NS" && r.Name == "@")
        {
            errors.Add(new ConfigError($"{rat}.type", "the apex NS records come from the zone's nameServers; list them there"));
        }

        ValidateRecordBody(config, zone, rat, type, r, errors);
    }

    private static void ValidateRecordBody(TandemConfig config, DnsZoneConfig zone, string at, string type, DnsRecordConfig r, List<ConfigError> errors)
    {
        var routed = r.Failover is not null || r.Multivalue is not null;
        if (type == "ALIAS")
        {
            if ((r.Alias is null) == (r.Edge is null) || r.Values.Count > 0 || routed)
            {
                errors.Add(new ConfigError(at, "an ALIAS gives exactly one of \"alias\" (a name in this zone, such as \"www\") or \"edge\" (an edge by name), and no values"));
                return;
            }

            if (r.Alias is { } target)
            {
                if (DnsRecordValues.CheckRelativeName(target) is { } p)
                {
                    errors.Add(new ConfigError($"{at}.alias", p));
                }
                else if (string.Equals(target, r.Name, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add(new ConfigError($"{at}.alias", "an ALIAS cannot point at its own name"));
                }
                else if (!zone.Records.Any(o => o is not null && string.Equals(o.Name, target, StringComparison.OrdinalIgnoreCase) && o.Type.ToUpperInvariant() is "A" or "AAAA"))
                {
                    errors.Add(new ConfigError($"{at}.alias", $"there is no A or AAAA record named '{target}' in this zone to take addresses from"));
                }
            }
            else if (!DnsEdgeAddress.TryResolve(config, r.Edge!, out _, out var problem))
            {
                errors.Add(new ConfigError($"{at}.edge", problem));
            }

            return;
        }

        if (r.Alias is not null || r.Edge is not null)
        {
            errors.Add(new ConfigError(at, "\"alias\" and \"edge\" belong to type ALIAS only"));
        }

        if (routed)
        {
            if (type is not ("A" or "AAAA"))
            {
                errors.Add(new ConfigError($"{at}.type", "failover and multivalue routing answer addresses; use type A or AAAA"));
                return;
            }

            if (r.Values.Count > 0 || (r.Failover is not null && r.Multivalue is not null))
            {
                errors.Add(new ConfigError(at, "give one of values, failover or multivalue"));
                return;
            }

            if (r.Failover is { } f)
            {
                if (f.Primary is null || f.Secondary is null)
                {
                    errors.Add(new ConfigError($"{at}.failover", "needs both primary and secondary, each { \"value\": ADDRESS, \"healthCheck\": NAME }"));
                }

                ValidateTarget(config, $"{at}.failover.primary", type, f.Primary, errors);
                ValidateTarget(config, $"{at}.failover.secondary", type, f.Secondary, errors);
            }
            else
            {
                if (r.Multivalue!.Count is 0 or > 8)
                {
                    errors.Add(new ConfigError($"{at}.multivalue", "needs 1 to 8 targets (Route 53 answers up to 8)"));
                }

                for (var i = 0; i < r.Multivalue.Count; i++)
                {
                    ValidateTarget(config, $"{at}.multivalue[{i}]", type, r.Multivalue[i], errors);
                }
            }

            return;
        }

        if (r.Values.Count == 0)
        {
            errors.Add(new ConfigError($"{at}.values", $"a {type} record needs at least one value"));
        }

        if (type == "CNAME" && r.Values.Count > 1)
        {
            errors.Add(new ConfigError($"{at}.values", "a CNAME has exactly one value"));
        }

        for (var i = 0; i < r.Values.Count; i++)
        {
            var v = r.Values[i];
            var vat = $"{at}.values[{i}]";
            string? problem = type switch
            {
                "A" or "AAAA" => DnsRecordValues.TryAddress(type, v, out _) ? null : $"'{v}' is not an {(type == "A" ? "IPv4" : "IPv6")} address",
                "CNAME" or "NS" => DnsRecordValues.CheckHostName(v),
                "MX" => DnsRecordValues.TryMx(v ?? "", out _, out _) ? null : $"'{v}' is not \"PREFERENCE HOST\", such as \"10 mail.example.com\"",
                "CAA" => DnsRecordValues.TryCaa(v ?? "", out _, out _, out _) ? null : $"'{v}' is not \"FLAGS TAG \\\"VALUE\\\"\" with tag issue, issuewild or iodef, such as \"0 issue \\\"letsencrypt.org\\\"\"",
                "TXT" => v is null ? "is null; give the text" : v.Length > 4000 ? "is longer than 4000 characters" : null,
                _ => null,
            };
            if (problem is not null)
            {
                errors.Add(new ConfigError(vat, problem));
            }
        }
    }

    private static void ValidateTarget(TandemConfig config, string at, string type, DnsTargetConfig? target, List<ConfigError> errors)
    {
        if (target is null)
        {
            return;
        }

        if ((target.Value is null) == (target.Edge is null))
        {
            errors.Add(new ConfigError(at, "give exactly one of \"value\" (an address) or \"edge\" (an edge by name)"));
        }
        else if (target.Value is { } v && !DnsRecordValues.TryAddress(type, v, out _))
        {
            errors.Add(new ConfigError($"{at}.value", $"'{v}' is not an {(type == "A" ? "IPv4" : "IPv6")} address"));
        }
        else if (target.Edge is { } edge)
        {
            if (!DnsEdgeAddress.TryResolve(config, edge, out var address, out var problem))
            {
                errors.Add(new ConfigError($"{at}.edge", problem));
            }
            else if (!DnsRecordValues.TryAddress(type, address.ToString(), out _))
            {
                errors.Add(new ConfigError($"{at}.edge", $"edge '{edge}' listens on {address}, which is not an {type} address"));
            }
        }

        if (target.HealthCheck is { } check && !config.Dns.HealthChecks.ContainsKey(check))
        {
            errors.Add(new ConfigError($"{at}.healthCheck", $"there is no health check named '{check}' (healthChecks: {string.Join(", ", config.Dns.HealthChecks.Keys)})"));
        }
    }
}

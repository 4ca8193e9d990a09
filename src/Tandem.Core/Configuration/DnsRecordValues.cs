using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Tandem.Core.Configuration;

/// <summary>
/// Reads DNS record values in presentation form. Shared by config validation (which reports what
/// is wrong) and the DNS role (which builds records from the same parse), so they never disagree.
/// </summary>
public static partial class DnsRecordValues
{
    /// <summary>Record types a fixed record set may have.</summary>
    public static readonly string[] FixedTypes = ["A", "AAAA", "CNAME", "TXT", "MX", "CAA", "NS"];

    /// <summary>CAA tags of RFC 8659.</summary>
    public static readonly string[] CaaTags = ["issue", "issuewild", "iodef"];

    /// <summary>Checks an absolute host name ("mail.example.com", trailing dot optional); null when valid.</summary>
    public static string? CheckHostName(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "is empty; give a name such as \"mail.example.com\"";
        }

        var name = value.TrimEnd('.');
        if (name.Length is 0 or > 253 || !HostNamePattern().IsMatch(name))
        {
            return $"'{value}' is not a domain name (labels of letters, digits, '-' and '_', 1-63 characters each, 253 in all)";
        }

        return null;
    }

    /// <summary>Checks a name relative to a zone: "@" or labels such as "www" or "_dmarc.mail"; null when valid.</summary>
    public static string? CheckRelativeName(string? value)
    {
        if (value == "@")
        {
            return null;
        }

        if (string.IsNullOrEmpty(value) || value.EndsWith('.') || !HostNamePattern().IsMatch(value))
        {
            return $"'{value}' is not a name in the zone; use \"@\" for the zone itself or labels such as \"www\" (no trailing dot)";
        }

        return null;
    }

    /// <summary>Parses an address of the given family ("A" or "AAAA").</summary>
    public static bool TryAddress(string type, string? value, out IPAddress address)
    {
        address = IPAddress.None;
        if (value is null || !IPAddress.TryParse(value, out var parsed))
        {
            return false;
        }

        var family = type == "AAAA" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        if (parsed.AddressFamily != family)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>Parses "10 mail.example.com".</summary>
    public static bool TryMx(string value, out ushort preference, out string exchange)
    {
        exchange = "";
        preference = 0;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !ushort.TryParse(parts[0], out preference) || CheckHostName(parts[1]) is not null)
        {
            return false;
        }

        exchange = parts[1].TrimEnd('.');
        return true;
    }

    /// <summary>Parses "0 issue \"letsencrypt.org\"" (RFC 8659 presentation form).</summary>
    public static bool TryCaa(string value, out byte flags, out string tag, out string caaValue)
    {
        flags = 0;
        tag = caaValue = "";
        var m = CaaPattern().Match(value);
        if (!m.Success || !byte.TryParse(m.Groups[1].Value, out flags) || Array.IndexOf(CaaTags, m.Groups[2].Value.ToLowerInvariant()) < 0)
        {
            return false;
        }

        tag = m.Groups[2].Value.ToLowerInvariant();
        caaValue = m.Groups[3].Value;
        return true;
    }

    /// <summary>Splits TXT text into the 255-byte character strings the wire format allows.</summary>
    public static IEnumerable<string> TxtChunks(string text)
    {
        for (var i = 0; i < text.Length; i += 255)
        {
            yield return text.Substring(i, Math.Min(255, text.Length - i));
        }
    }

    /// <summary>Parses "200-399" or "200" into an inclusive range.</summary>
    public static bool TryStatusRange(string? value, out int low, out int high)
    {
        low = high = 0;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var dash = value.IndexOf('-', StringComparison.Ordinal);
        var ok = dash < 0
            ? int.TryParse(value, out low) && (high = low) == low
            : int.TryParse(value.AsSpan(0, dash), out low) && int.TryParse(value.AsSpan(dash + 1), out high);
        return ok && low is >= 100 and <= 599 && high is >= 100 and <= 599 && low <= high;
    }

    [GeneratedRegex(@"^([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex("^\\s*(\\d{1,3})\\s+([A-Za-z]+)\\s+\"([^\"]*)\"\\s*$")]
    private static partial Regex CaaPattern();
}

/// <summary>Where a DNS answer that names an edge points.</summary>
public static class DnsEdgeAddress
{
    /// <summary>The address of edge <paramref name="edge"/>'s httpListen (or httpsListen).</summary>
    public static bool TryResolve(TandemConfig config, string edge, out IPAddress address, out string problem)
    {
        address = IPAddress.None;
        if (!config.Edges.TryGetValue(edge, out var e) || e is null)
        {
            problem = $"there is no edge named '{edge}' (edges: {string.Join(", ", config.Edges.Keys)})";
            return false;
        }

        if (!ListenAddress.TryParse(e.HttpListen ?? e.HttpsListen, out var endpoint, out _))
        {
            problem = $"edge '{edge}' has no usable httpListen or httpsListen";
            return false;
        }

        if (endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any))
        {
            problem = $"edge '{edge}' listens on every address, so its public one is unknown; give the address as \"value\" instead";
            return false;
        }

        address = endpoint.Address;
        problem = "";
        return true;
    }
}

using System.Net;
using Tandem.FunctionalTests.Infrastructure;

namespace Tandem.FunctionalTests.Dns;

/// <summary>Runs Debian's dig against a server and reads back what a person reads in its output.</summary>
public static class Dig
{
    /// <summary>One dig answer: rcode, header flags and the records of each section.</summary>
    public sealed record Reply(string Status, IReadOnlyList<string> Flags, IReadOnlyList<Rr> Answer, IReadOnlyList<Rr> Authority, bool RetriedOverTcp, string Raw)
    {
        public bool Has(string flag) => Flags.Contains(flag);

        public override string ToString() => Raw;
    }

    /// <summary>One record line: owner, TTL, type and the rest (the data) as dig prints it.</summary>
    public sealed record Rr(string Name, int Ttl, string Type, string Data);

    public static async Task<Reply> QueryAsync(IPEndPoint server, string name, string type, params string[] options)
    {
        string[] args = ["@" + server.Address, "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), name, type, "+norec", "+tries=1", "+time=3", .. options];
        var result = await ExternalTool.RunAsync("dig", args, timeout: TimeSpan.FromSeconds(30));
        return Parse(result.StdOut + result.StdErr);
    }

    public static Reply Parse(string output)
    {
        string status = "";
        var flags = new List<string>();
        var answer = new List<Rr>();
        var authority = new List<Rr>();
        List<Rr>? section = null;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Contains("status: ", StringComparison.Ordinal))
            {
                status = line[(line.IndexOf("status: ", StringComparison.Ordinal) + 8)..].Split(',')[0];
                flags.Clear();
                answer.Clear();
                authority.Clear();
            }
            else if (line.StartsWith(";; flags:", StringComparison.Ordinal))
            {
                flags.AddRange(line[9..line.IndexOf(';', 9)].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
            else if (line.StartsWith(";; ANSWER SECTION", StringComparison.Ordinal))
            {
                section = answer;
            }
            else if (line.StartsWith(";; AUTHORITY SECTION", StringComparison.Ordinal))
            {
                section = authority;
            }
            else if (line.Length == 0 || line.StartsWith(';'))
            {
                section = line.Length == 0 ? null : section;
            }
            else if (section is not null)
            {
                var parts = line.Split((char[])['\t', ' '], 5, StringSplitOptions.RemoveEmptyEntries);
                section.Add(new Rr(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[3], parts.Length > 4 ? parts[4] : ""));
            }
        }

        return new Reply(status, [.. flags], [.. answer], [.. authority], output.Contains("Truncated, retrying in TCP mode", StringComparison.Ordinal), output);
    }
}

using System.Globalization;
using System.Text;

namespace Tandem.Core.Metrics;

/// <summary>One sample line of the Prometheus text format: name, labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// Reads the Prometheus text exposition format (0.0.4) that every Tandem node serves at /metrics.
/// Written by hand because it is a few lines of a stable format and the only client-side parsers
/// in .NET come with a whole Prometheus client; lines that do not parse are skipped, as
/// Prometheus itself would refuse the scrape but a status screen should still show the rest.
/// </summary>
public static class PrometheusText
{
    public static IEnumerable<PrometheusSample> Parse(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (TryParseLine(line) is { } sample)
            {
                yield return sample;
            }
        }
    }

    /// <summary>Sum of every series of <paramref name="name"/> whose labels include all of <paramref name="match"/>.</summary>
    public static double Sum(IEnumerable<PrometheusSample> samples, string name, params (string Label, string Value)[] match) =>
        samples.Where(s => s.Name == name && match.All(m => s.Label(m.Label) == m.Value)).Sum(s => s.Value);

    private static PrometheusSample? TryParseLine(string line)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':'))
        {
            i++;
        }

        if (i == 0)
        {
            return null;
        }

        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                while (i < line.Length && line[i] is ' ' or ',')
                {
                    i++;
                }

                if (i >= line.Length)
                {
                    return null;
                }

                if (line[i] == '}')
                {
                    i++;
                    break;
                }

                var eq = line.IndexOf('=', i);
                if (eq < 0 || eq + 1 >= line.Length || line[eq + 1] != '"')
                {
                    return null;
                }

                var key = line[i..eq].Trim();
                var value = new StringBuilder();
                i = eq + 2;
                while (i < line.Length && line[i] != '"')
                {
                    if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        value.Append(line[i] == 'n' ? '\n' : line[i]);
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                if (i >= line.Length)
                {
                    return null;
                }

                i++;
                labels[key] = value.ToString();
            }
        }

        // The value, then an optional timestamp.
        var rest = line[i..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length == 0)
        {
            return null;
        }

        var number = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            _ => (double?)null,
        };
        return number is { } v ? new PrometheusSample(name, labels, v) : null;
    }
}

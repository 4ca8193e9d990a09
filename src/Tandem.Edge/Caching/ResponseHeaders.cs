using System.Collections;

namespace Tandem.Edge.Caching;

/// <summary>
/// Response header lines as name/value pairs in the order received, one pair per field line (a
/// repeated field gives several pairs). Names compare case-insensitively. This keeps the caching
/// decisions free of ASP.NET Core and HttpClient types: the host copies headers in once.
/// </summary>
public sealed class ResponseHeaders : IReadOnlyList<KeyValuePair<string, string>>
{
    private readonly KeyValuePair<string, string>[] _fields;

    /// <summary>Copies <paramref name="fields"/>.</summary>
    public ResponseHeaders(IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _fields = [.. fields];
    }

    private ResponseHeaders(KeyValuePair<string, string>[] fields) => _fields = fields;

    /// <summary>No fields.</summary>
    public static ResponseHeaders Empty { get; } = new([]);

    public int Count => _fields.Length;

    public KeyValuePair<string, string> this[int index] => _fields[index];

    /// <summary>Builds headers from "name", "value", "name", "value"… (convenient in tests and fixed responses).</summary>
    public static ResponseHeaders Of(params string[] namesAndValues)
    {
        ArgumentNullException.ThrowIfNull(namesAndValues);
        if (namesAndValues.Length % 2 != 0)
        {
            throw new ArgumentException("Names and values come in pairs.", nameof(namesAndValues));
        }

        var fields = new KeyValuePair<string, string>[namesAndValues.Length / 2];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new(namesAndValues[2 * i], namesAndValues[(2 * i) + 1]);
        }

        return new ResponseHeaders(fields);
    }

    /// <summary>The value of the first line named <paramref name="name"/>, or null.</summary>
    public string? Get(string name)
    {
        foreach (var field in _fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return field.Value;
            }
        }

        return null;
    }

    /// <summary>True when at least one line is named <paramref name="name"/>.</summary>
    public bool Contains(string name) => Get(name) is not null;

    /// <summary>The values of every line named <paramref name="name"/>, in order.</summary>
    public IEnumerable<string> GetAll(string name)
    {
        foreach (var field in _fields)
        {
            if (string.Equals(field.Key, name, StringComparison.OrdinalIgnoreCase))
            {
                yield return field.Value;
            }
        }
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)_fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Callers inside the cache build arrays they own; no need to copy them again.
    internal static ResponseHeaders Wrap(KeyValuePair<string, string>[] fields) => new(fields);
}

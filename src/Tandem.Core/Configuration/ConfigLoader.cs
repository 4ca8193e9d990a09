using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace Tandem.Core.Configuration;

/// <summary>
/// Reads a config file. Syntax errors, unknown settings and wrong value types are all reported
/// with their JSON path (and line where the parser knows it) before semantic validation runs.
/// </summary>
public static class ConfigLoader
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    /// <summary>Loads and validates a file; throws <see cref="ConfigException"/> listing every error.</summary>
    public static LoadedConfig Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new ConfigException(path, [new ConfigError("$", $"config file '{full}' does not exist; pass --config with the path of your tandem.json")]);
        }

        return Parse(File.ReadAllText(full), full);
    }

    /// <summary>Parses and validates config text; <paramref name="path"/> anchors relative paths.</summary>
    public static LoadedConfig Parse(string json, string path)
    {
        var errors = new List<ConfigError>();
        TandemConfig? config = null;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new ConfigError("$", "the config must be a JSON object ({ ... })"));
            }
            else
            {
                CheckShape(doc.RootElement, typeof(TandemConfig), "$", errors);
            }

            // Unknown settings are skipped by the serializer, so the meaning of the rest can still
            // be checked and every error reported in one go. A wrong value type was reported by
            // the shape walk already; the serializer's own message for it would only repeat it.
            var shapeErrors = errors.Count;
            try
            {
                config = doc.RootElement.Deserialize<TandemConfig>(Options);
            }
            catch (JsonException) when (shapeErrors > 0)
            {
            }
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, column {ex.BytePositionInLine + 1})" : "";
            errors.Add(new ConfigError(ex.Path ?? "$", FirstSentence(ex.Message) + where));
        }

        if (config is not null)
        {
            errors.AddRange(ConfigValidator.Validate(config, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))));
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(path, errors);
        }

        return new LoadedConfig(config!, path);
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    // Walks the document against the record types so that every misspelt or misplaced setting
    // is reported at once, with a suggestion, instead of the serializer's first error only.
    private static void CheckShape(JsonElement element, Type type, string path, List<ConfigError> errors)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                errors.Add(new ConfigError(path, $"expected a string, found {Describe(element)}"));
            }

            return;
        }

        if (underlying == typeof(bool))
        {
            if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add(new ConfigError(path, $"expected true or false, found {Describe(element)}"));
            }

            return;
        }

        if (underlying.IsPrimitive || underlying == typeof(decimal))
        {
            if (element.ValueKind != JsonValueKind.Number)
            {
                errors.Add(new ConfigError(path, $"expected a number, found {Describe(element)}"));
            }

            return;
        }

        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new ConfigError(path, $"expected an object of named entries, found {Describe(element)}"));
                return;
            }

            var valueType = underlying.GetGenericArguments()[1];
            foreach (var p in element.EnumerateObject())
            {
                CheckShape(p.Value, valueType, $"{path}.{p.Name}", errors);
            }

            return;
        }

        if (typeof(IEnumerable).IsAssignableFrom(underlying))
        {
            if (element.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new ConfigError(path, $"expected a list ([ ... ]), found {Describe(element)}"));
                return;
            }

            var itemType = underlying.IsArray ? underlying.GetElementType()! : underlying.GetGenericArguments()[0];
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                CheckShape(item, itemType, $"{path}[{i++}]", errors);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ConfigError(path, $"expected an object ({{ ... }}), found {Describe(element)}"));
            return;
        }

        var known = underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            if (known.TryGetValue(p.Name, out var prop))
            {
                CheckShape(p.Value, prop.PropertyType, $"{path}.{p.Name}", errors);
                continue;
            }

            var hint = Suggest(p.Name, known.Keys);
            errors.Add(new ConfigError($"{path}.{p.Name}",
                $"unknown setting '{p.Name}'" + (hint is null ? $"; known settings here: {string.Join(", ", known.Keys)}" : $"; did you mean '{hint}'?")));
        }
    }

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{e.GetString()}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => "null",
    };

    private static string? Suggest(string name, IEnumerable<string> known) =>
        known.Select(k => (k, d: EditDistance(name.ToLowerInvariant(), k.ToLowerInvariant())))
             .Where(x => x.d <= Math.Max(2, x.k.Length / 3)
                 || (x.k.Length >= 3 && name.StartsWith(x.k, StringComparison.OrdinalIgnoreCase))
                 || (name.Length >= 3 && x.k.StartsWith(name, StringComparison.OrdinalIgnoreCase)))
             .OrderBy(x => x.d)
             .Select(x => x.k)
             .FirstOrDefault();

    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var prev = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cur = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), prev + (a[i - 1] == b[j - 1] ? 0 : 1));
                prev = cur;
            }
        }

        return row[b.Length];
    }
}

/// <summary>A validated config and the file it came from (relative paths resolve against it).</summary>
public sealed record LoadedConfig(TandemConfig Config, string SourcePath)
{
    /// <summary>The folder that relative paths in the file are resolved against.</summary>
    public string BaseDirectory => System.IO.Path.GetDirectoryName(SourcePath) ?? Directory.GetCurrentDirectory();

    /// <summary>Resolves a path from the file against <see cref="BaseDirectory"/>.</summary>
    public string ResolvePath(string path) => System.IO.Path.GetFullPath(path, BaseDirectory);
}

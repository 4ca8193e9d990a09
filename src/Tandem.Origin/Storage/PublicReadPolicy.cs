using System.Text.Json;

namespace Tandem.Origin.Storage;

/// <summary>
/// Evaluates the one policy shape a website needs: an Allow of s3:GetObject to everyone on the
/// bucket's objects. Other statements are stored and returned but not enforced (documented).
/// </summary>
public static class PublicReadPolicy
{
    /// <summary>True when <paramref name="policyJson"/> lets anyone GET objects of <paramref name="bucket"/>.</summary>
    public static bool Allows(string? policyJson, string bucket)
    {
        if (string.IsNullOrWhiteSpace(policyJson))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(policyJson);
            if (!doc.RootElement.TryGetProperty("Statement", out var statements))
            {
                return false;
            }

            var list = statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements];
            var allowed = false;
            foreach (var s in list)
            {
                if (s.ValueKind != JsonValueKind.Object || !IsEveryone(s) || !Matches(s, "Action", IsGetObject) || !Matches(s, "Resource", r => CoversObjects(r, bucket)))
                {
                    continue;
                }

                var effect = s.TryGetProperty("Effect", out var e) ? e.GetString() : null;
                if (effect == "Deny")
                {
                    return false;
                }

                allowed |= effect == "Allow";
            }

            return allowed;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsEveryone(JsonElement statement)
    {
        if (!statement.TryGetProperty("Principal", out var p))
        {
            return false;
        }

        return p.ValueKind switch
        {
            JsonValueKind.String => p.GetString() == "*",
            JsonValueKind.Object => p.TryGetProperty("AWS", out var aws) && Matches(aws, v => v == "*"),
            _ => false,
        };
    }

    private static bool IsGetObject(string action) => action is "s3:GetObject" or "s3:*" or "*" or "s3:Get*";

    private static bool CoversObjects(string resource, string bucket) =>
        resource == $"arn:aws:s3:::{bucket}/*" || resource == "arn:aws:s3:::*" || resource == "*";

    private static bool Matches(JsonElement statement, string name, Func<string, bool> test) =>
        statement.TryGetProperty(name, out var value) && Matches(value, test);

    private static bool Matches(JsonElement value, Func<string, bool> test) => value.ValueKind switch
    {
        JsonValueKind.String => test(value.GetString()!),
        JsonValueKind.Array => value.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.String && test(v.GetString()!)),
        _ => false,
    };
}

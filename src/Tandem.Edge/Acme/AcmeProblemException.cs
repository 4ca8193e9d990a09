using System.Text.Json;

namespace Tandem.Edge.Acme;

/// <summary>
/// An ACME server's error (an RFC 7807 problem document, RFC 8555 §6.7) or a failed step of
/// an order, as one message: what failed, the problem type, its detail and the URL.
/// </summary>
public sealed class AcmeProblemException : Exception
{
    public AcmeProblemException(string message, string? type = null, string? detail = null, string? url = null, int? status = null)
        : base(message)
    {
        Type = type;
        Detail = detail;
        Url = url;
        Status = status;
    }

    /// <summary>The problem type, e.g. <c>urn:ietf:params:acme:error:badNonce</c>.</summary>
    public string? Type { get; }

    public string? Detail { get; }

    /// <summary>The URL the request went to (or the authorization that failed).</summary>
    public string? Url { get; }

    public int? Status { get; }

    public bool IsBadNonce => Type == "urn:ietf:params:acme:error:badNonce";

    /// <summary>Reads a problem document; a body that is not one still gives a clear message.</summary>
    public static AcmeProblemException Parse(string body, string url, int status, string? context = null)
    {
        string? type = null, detail = null;
        var sub = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(body);
            (type, detail) = Read(doc.RootElement);
            if (doc.RootElement.TryGetProperty("subproblems", out var subs) && subs.ValueKind == JsonValueKind.Array)
            {
                foreach (var s in subs.EnumerateArray())
                {
                    var (t, d) = Read(s);
                    var id = s.TryGetProperty("identifier", out var i) && i.TryGetProperty("value", out var v) ? $"{v.GetString()}: " : "";
                    sub.Add($"{id}{t} {d}".Trim());
                }
            }
        }
        catch (JsonException)
        {
            detail = body.Length > 200 ? body[..200] + "…" : body;
        }

        return FromParts(context ?? "ACME request failed", type, detail, url, status, sub);
    }

    /// <summary>A problem from a JSON "error" member (of a challenge or an order).</summary>
    public static AcmeProblemException FromElement(JsonElement error, string context, string url)
    {
        var (type, detail) = Read(error);
        return FromParts(context, type, detail, url, null, []);
    }

    private static (string? Type, string? Detail) Read(JsonElement e) =>
        e.ValueKind != JsonValueKind.Object ? (null, null) :
        (e.TryGetProperty("type", out var t) ? t.GetString() : null, e.TryGetProperty("detail", out var d) ? d.GetString() : null);

    private static AcmeProblemException FromParts(string context, string? type, string? detail, string url, int? status, List<string> sub)
    {
        var message = $"{context}: {type ?? "(no problem type)"}: {detail ?? "(no detail)"}";
        if (sub.Count > 0)
        {
            message += $" [{string.Join("; ", sub)}]";
        }

        message += status is null ? $" ({url})" : $" (HTTP {status} from {url})";
        return new AcmeProblemException(message, type, detail, url, status);
    }
}

using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Tandem.Core.Configuration;
using Tandem.Core.Http;

namespace Tandem.Edge.Admin;

/// <summary>One call to one edge's admin API: its answer (or the error), and how long it took.</summary>
public sealed record EdgeCallResult<T>(string Edge, bool Ok, T? Value, TimeSpan Elapsed, string? Error);

/// <summary>Sends one admin call to every edge of a config at once, with each edge's token.</summary>
internal static class EdgeAdminCalls
{
    /// <summary>
    /// Sends the call to every edge at once. The answer is read as JSON, or as the whole text when
    /// <typeparamref name="T"/> is string (GET /metrics). A failure is kept per edge, never thrown.
    /// </summary>
    public static async Task<IReadOnlyList<EdgeCallResult<T>>> ToAllAsync<T>(LoadedConfig loaded, HttpMethod method, string path, object? body, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        using var http = new HttpClient { Timeout = limit };
        var tasks = loaded.Config.Edges.Select(async e =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var token = SecretResolver.Resolve(e.Value.AdminToken, $"$.edges.{e.Key}.adminToken", loaded.ResolvePath);
                using var request = new HttpRequestMessage(method, new Uri(InvalidationClient.AdminBaseUrl(e.Value), path));
                if (body is not null)
                {
                    request.Content = JsonContent.Create(body, body.GetType());
                }

                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    var text = await response.Content.ReadAsStringAsync(cancellationToken);
                    return new EdgeCallResult<T>(e.Key, false, default, watch.Elapsed, $"{(int)response.StatusCode} {text}".Trim());
                }

                var value = typeof(T) == typeof(string)
                    ? (T)(object)await response.Content.ReadAsStringAsync(cancellationToken)
                    : await response.Content.ReadFromJsonAsync<T>(cancellationToken);
                return new EdgeCallResult<T>(e.Key, true, value, watch.Elapsed, null);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ConfigException or System.Text.Json.JsonException)
            {
                return new EdgeCallResult<T>(e.Key, false, default, watch.Elapsed, HttpFailure.Describe(ex, limit));
            }
        });
        return await Task.WhenAll(tasks);
    }
}

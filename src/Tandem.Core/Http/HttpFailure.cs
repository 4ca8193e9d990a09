using System.Net.Sockets;

namespace Tandem.Core.Http;

/// <summary>One short line for a failed HTTP call to another node, as status screens and CLI errors show it.</summary>
public static class HttpFailure
{
    /// <summary>
    /// "connection refused (127.0.0.1:8081)" rather than the socket's wording, "no answer within
    /// 2 s" rather than HttpClient's timeout sentence; a config problem (such as
    /// a missing token file) is its errors on one line; anything else keeps its own message.
    /// </summary>
    public static string Describe(Exception ex, TimeSpan timeout) => ex switch
    {
        TaskCanceledException or TimeoutException => $"no answer within {timeout.TotalSeconds:0.#} s",
        HttpRequestException { InnerException: SocketException socket } http => socket.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused" + Where(http.Message),
            SocketError.TimedOut => "connect timed out" + Where(http.Message),
            SocketError.HostNotFound => "host not found" + Where(http.Message),
            _ => http.Message,
        },
        Configuration.ConfigException config => string.Join("; ", config.Errors),
        _ => ex.Message,
    };

    // HttpClient ends a connect failure's message with " (host:port)".
    private static string Where(string message) =>
        message.EndsWith(')') && message.LastIndexOf(" (", StringComparison.Ordinal) is var at and >= 0 ? message[at..] : "";
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tandem.Origin.Storage;
using Tandem.Origin.Website;

namespace Tandem.Tests.Origin.Website;

/// <summary>A real Kestrel server on 127.0.0.1, port 0, running the website endpoint over a store.</summary>
internal sealed class WebsiteServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebsiteServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = address };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public static async Task<WebsiteServer> StartAsync(IObjectStore store, WebsiteOptions? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapWebsiteEndpoint(store, options ?? new WebsiteOptions { FallbackBucket = "site" });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new WebsiteServer(app, new Uri(address));
    }

    /// <summary>GET with a Host header of our choosing.</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string? host = null, Action<HttpRequestMessage>? configure = null, HttpMethod? method = null)
    {
        var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        configure?.Invoke(request);
        return Client.SendAsync(request);
    }

    /// <summary>
    /// Sends a request line exactly as written (HttpClient would normalise "..", "\" and some
    /// escapes away) and returns the status and the whole response text.
    /// </summary>
    public async Task<(int Status, string Response)> SendRawAsync(string target, string host = "site.localhost")
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Address.Port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var request = $"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var status = int.Parse(text.AsSpan(9, 3), provider: null);
        return (status, text);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

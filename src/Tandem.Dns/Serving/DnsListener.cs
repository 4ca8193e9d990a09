using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Tandem.Dns.Serving;

/// <summary>
/// The name server's sockets: UDP and TCP on one port. UDP is served by one dedicated thread per
/// core, each blocking on the shared socket and answering in place with its own buffers, so a
/// query costs one receive, one parse and one send, and no thread-pool hop that a flood of junk
/// could starve. TCP connections (RFC 7766: several queries per connection, 2-byte length
/// prefix) are served on the thread pool and closed after <see cref="TcpIdleTimeout"/> idle.
/// </summary>
/// <remarks>
/// Written here rather than using ARSoft.Tools.Net's DnsServer: that server hands every UDP packet
/// to Task.Run with a fresh 514-byte buffer (queries over 512 bytes are cut and go unanswered),
/// and measured slower under dnsperf even with a trivial handler (docs/architecture.md has the
/// figures). ARSoft still parses every query.
/// </remarks>
public sealed class DnsListener : IDisposable
{
    /// <summary>How long a TCP connection may sit idle or mid-message before it is closed.</summary>
    public static readonly TimeSpan TcpIdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// TCP connections served at once; more are closed as they arrive, so a connection flood costs
    /// sockets, not memory (each connection holds 128 KB of buffers). UDP is unaffected.
    /// </summary>
    public const int MaxTcpConnections = 256;

    private int _tcpConnections;

    private readonly DnsResponder _responder;
    private readonly ILogger _logger;
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];
    private Task _accepting = Task.CompletedTask;

    public DnsListener(IPEndPoint endpoint, DnsResponder responder, ILogger logger)
    {
        _responder = responder;
        _logger = logger;
        for (var attempt = 0; ; attempt++)
        {
            _udp = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            _tcp = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                // "[::]:53" serves IPv4 clients too.
                _udp.DualMode = true;
                _tcp.DualMode = true;
            }

            try
            {
                // Room for bursts while the loops are busy; Linux caps it at net.core.rmem_max.
                _udp.ReceiveBufferSize = 4 * 1024 * 1024;
                _udp.Bind(endpoint);
                var bound = (IPEndPoint)_udp.LocalEndPoint!;

                // Port 0: TCP takes the port UDP got; another process may hold it for TCP, so retry.
                _tcp.Bind(bound);
                _tcp.Listen(512);
                Endpoint = bound;
                break;
            }
            catch (SocketException) when (endpoint.Port == 0 && attempt < 20)
            {
                _udp.Dispose();
                _tcp.Dispose();
            }
            catch
            {
                _udp.Dispose();
                _tcp.Dispose();
                throw;
            }
        }
    }

    /// <summary>The bound address, UDP and TCP.</summary>
    public IPEndPoint Endpoint { get; } = null!;

    public void Start()
    {
        for (var i = 0; i < Environment.ProcessorCount; i++)
        {
            var thread = new Thread(UdpLoop) { IsBackground = true, Name = $"tandem-dns-udp-{i}" };
            thread.Start();
            _threads.Add(thread);
        }

        _accepting = AcceptLoopAsync(_stop.Token);
    }

    private void UdpLoop()
    {
        var packet = new byte[DnsResponder.MaxMessage];
        var output = new byte[DnsResponder.MaxMessage];
        var from = new SocketAddress(_udp.AddressFamily);
        while (!_stop.IsCancellationRequested)
        {
            int received;
            try
            {
                received = _udp.ReceiveFrom(packet, SocketFlags.None, from);
            }
            catch (SocketException ex) when (!_stop.IsCancellationRequested)
            {
                // A reset or a message too long: that datagram is gone, the socket is fine.
                DnsLog.ServerError(_logger, ex.Message);
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            try
            {
                var length = _responder.Respond(packet, received, output, tcp: false);
                if (length > 0)
                {
                    _udp.SendTo(output.AsSpan(0, length), SocketFlags.None, from);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One bad exchange must never stop the loop.
                DnsLog.ServerError(_logger, ex.Message);
            }
        }
    }

    private async Task AcceptLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _tcp.AcceptAsync(stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                DnsLog.ServerError(_logger, ex.Message);
                continue;
            }

            if (Interlocked.Increment(ref _tcpConnections) > MaxTcpConnections)
            {
                Interlocked.Decrement(ref _tcpConnections);
                client.Dispose();
                continue;
            }

            _ = ServeTcpAsync(client, stop);
        }
    }

    private async Task ServeTcpAsync(Socket client, CancellationToken stop)
    {
        var packet = new byte[DnsResponder.MaxMessage];
        var output = new byte[DnsResponder.MaxMessage + 2];
        try
        {
            using (client)
            {
                client.NoDelay = true;
                while (true)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    idle.CancelAfter(TcpIdleTimeout);
                    if (!await ReadExactlyAsync(client, packet.AsMemory(0, 2), idle.Token))
                    {
                        return;
                    }

                    var length = BinaryPrimitives.ReadUInt16BigEndian(packet);
                    if (length == 0 || !await ReadExactlyAsync(client, packet.AsMemory(0, length), idle.Token))
                    {
                        return;
                    }

                    var written = _responder.Respond(packet, length, output.AsSpan(2), tcp: true);
                    if (written == 0)
                    {
                        return;
                    }

                    BinaryPrimitives.WriteUInt16BigEndian(output, (ushort)written);
                    await client.SendAsync(output.AsMemory(0, written + 2), SocketFlags.None, idle.Token);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Idle, reset or shutting down: the connection ends, nothing else does.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            DnsLog.ServerError(_logger, ex.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _tcpConnections);
        }
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp.Dispose();
        foreach (var t in _threads)
        {
            t.Join(TimeSpan.FromSeconds(2));
        }

        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}

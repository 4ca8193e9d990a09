using System.Net.Sockets;

namespace Tandem.Stack.Up;

/// <summary>
/// Tries every listen address before any child starts, so a busy port is one clear line naming
/// the address and its setting instead of a child that fails half-way through the start.
/// </summary>
public static class PortCheck
{
    /// <summary>The first listener whose address cannot be bound, or null when all are free.</summary>
    public static PlannedListener? FirstBusy(IEnumerable<PlannedListener> listeners)
    {
        foreach (var listener in listeners)
        {
            if (listener.Endpoint.Port == 0)
            {
                continue;
            }

            if (!CanBind(listener, SocketType.Stream, ProtocolType.Tcp) ||
                (listener.AlsoUdp && !CanBind(listener, SocketType.Dgram, ProtocolType.Udp)))
            {
                return listener;
            }
        }

        return null;
    }

    private static bool CanBind(PlannedListener listener, SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(listener.Endpoint.AddressFamily, type, protocol);
        if (type == SocketType.Stream)
        {
            // As Kestrel does: a port whose last connections are in TIME_WAIT is free to listen on.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        }

        try
        {
            socket.Bind(listener.Endpoint);
            if (type == SocketType.Stream)
            {
                socket.Listen();
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

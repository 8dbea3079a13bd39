using System.Net;
using System.Net.Sockets;
using SocketKit.Udp;

namespace SocketKit.Udp;

/// <summary>Turns <see cref="UdpEndpointOptions"/> into socket options, and multicast membership into the right option for each family.</summary>
internal static class UdpSocketSetup
{
    public static void Apply(Socket socket, UdpEndpointOptions options)
    {
        var v6 = socket.AddressFamily == AddressFamily.InterNetworkV6;
        if (v6)
        {
            socket.DualMode = options.DualMode;
        }

        if (options.EnableBroadcast)
        {
            socket.EnableBroadcast = true;
        }

        var level = v6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP;
        if (options.MulticastTimeToLive is { } ttl)
        {
            // IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS share the option name.
            socket.SetSocketOption(level, SocketOptionName.MulticastTimeToLive, ttl);
        }

        if (options.MulticastLoopback is { } loopback)
        {
            socket.SetSocketOption(level, SocketOptionName.MulticastLoopback, loopback);
        }

        if (options.MulticastInterface is { } address && !v6)
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, address.GetAddressBytes());
        }

        if (options.MulticastInterfaceIndex is { } index)
        {
            // IPv4 takes the index in network byte order; IPv6 takes it as is.
            socket.SetSocketOption(level, SocketOptionName.MulticastInterface, v6 ? index : IPAddress.HostToNetworkOrder(index));
        }

        if (options.ReceiveBufferSize is { } receive)
        {
            socket.ReceiveBufferSize = receive;
        }

        if (options.SendBufferSize is { } send)
        {
            socket.SendBufferSize = send;
        }

        options.ConfigureSocket?.Invoke(socket);
    }

    public static void Membership(Socket socket, IPAddress group, int interfaceIndex, bool join)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (group.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.SetSocketOption(SocketOptionLevel.IPv6, join ? SocketOptionName.AddMembership : SocketOptionName.DropMembership,
                new IPv6MulticastOption(group, interfaceIndex));
        }
        else
        {
            SetIPv4(socket, new MulticastOption(group, interfaceIndex), join);
        }
    }

    public static void Membership(Socket socket, IPAddress group, IPAddress interfaceAddress, bool join)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(interfaceAddress);
        if (group.AddressFamily != AddressFamily.InterNetwork || interfaceAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("Joining by interface address is IPv4 only; for IPv6 pass the interface index.", nameof(group));
        }

        SetIPv4(socket, new MulticastOption(group, interfaceAddress), join);
    }

    private static void SetIPv4(Socket socket, MulticastOption option, bool join)
    {
        // An IPv4 group on a dual-mode IPv6 socket is joined at the IPv4 level too (Linux accepts it).
        socket.SetSocketOption(SocketOptionLevel.IP, join ? SocketOptionName.AddMembership : SocketOptionName.DropMembership, option);
    }
}

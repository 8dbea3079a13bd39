using System.Net;
using System.Net.Sockets;

namespace SocketKit.IntegrationTests.Infrastructure;

/// <summary>Guards that every test talks only to loopback, and probes what the machine supports.</summary>
public static class Loopback
{
    private static readonly Lazy<bool> Ipv6 = new(() =>
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    });

    private static readonly Lazy<bool> Ipv6MulticastOnLoopback = new(() =>
    {
        if (!HasIPv6)
        {
            return false;
        }

        try
        {
            // The send fails (network unreachable) where lo has no IPv6 multicast route.
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            probe.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, LoopbackInterfaceIndex);
            probe.SendTo(new byte[1], new IPEndPoint(IPAddress.Parse("ff12::5eed"), ((IPEndPoint)probe.LocalEndPoint!).Port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    });

    public static bool HasIPv6 => Ipv6.Value;

    public static bool HasIPv6MulticastOnLoopback => Ipv6MulticastOnLoopback.Value;

    /// <summary>The index of the loopback interface (lo) for IPv6.</summary>
    public static int LoopbackInterfaceIndex { get; } = System.Net.NetworkInformation.NetworkInterface.IPv6LoopbackInterfaceIndex;

    public static IPEndPoint Any4 => new(IPAddress.Loopback, 0);

    /// <summary>An IPv4 multicast group tests may use (239.255.0.0/16, organisation-local), sent only through lo.</summary>
    public static IPAddress MulticastGroup4 { get; } = IPAddress.Parse("239.255.42.99");

    /// <summary>
    /// Refuses any UDP destination off this machine: loopback (127.0.0.0/8, which includes the 127.255.255.255
    /// broadcast, and ::1), or a 239.255.0.0/16 group when the sender sends multicast through 127.0.0.1.
    /// </summary>
    public static void RequireUdpDestination(IPEndPoint destination, SocketKit.Udp.UdpEndpointOptions sender)
    {
        var address = destination.Address.IsIPv4MappedToIPv6 ? destination.Address.MapToIPv4() : destination.Address;
        if (IPAddress.IsLoopback(address))
        {
            return;
        }

        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork && bytes[0] == 239 && bytes[1] == 255
            && sender.MulticastInterface is { } nic && IPAddress.IsLoopback(nic))
        {
            return;
        }

        throw new InvalidOperationException($"Tests may only send UDP to loopback; {destination} is not (multicast needs MulticastInterface = 127.0.0.1 and a 239.255.0.0/16 group).");
    }

    /// <summary>Fails the test if <paramref name="address"/> is not a loopback address.</summary>
    public static void Require(IPAddress address)
    {
        if (!IPAddress.IsLoopback(address))
        {
            Assert.Fail($"Tests may only send to loopback; {address} is not.");
        }
    }
}

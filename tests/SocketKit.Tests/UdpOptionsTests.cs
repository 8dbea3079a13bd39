using System.Net;
using System.Net.Sockets;
using SocketKit.Internal;
using SocketKit.Udp;

namespace SocketKit.Tests;

public sealed class UdpOptionsTests
{
    [Fact]
    public void IPv6_multicast_options_reach_the_socket()
    {
        Assert.SkipUnless(Socket.OSSupportsIPv6, "This machine has no IPv6.");
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);

        UdpSocketSetup.Apply(socket, new UdpEndpointOptions
        {
            LocalEndPoint = new IPEndPoint(IPAddress.IPv6Any, 0),
            DualMode = false,
            MulticastTimeToLive = 7,
            MulticastLoopback = false,
            MulticastInterfaceIndex = System.Net.NetworkInformation.NetworkInterface.IPv6LoopbackInterfaceIndex,
        });

        Assert.False(socket.DualMode);
        Assert.Equal(7, (int)socket.GetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive)!);
        Assert.Equal(0, (int)socket.GetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastLoopback)!);
        Assert.Equal(System.Net.NetworkInformation.NetworkInterface.IPv6LoopbackInterfaceIndex,
            (int)socket.GetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface)!);
    }

    [Fact]
    public void IPv4_multicast_and_broadcast_options_reach_the_socket()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        UdpSocketSetup.Apply(socket, new UdpEndpointOptions
        {
            EnableBroadcast = true,
            MulticastTimeToLive = 3,
            MulticastLoopback = false,
            MulticastInterface = IPAddress.Loopback,
            ReceiveBufferSize = 65536,
        });

        Assert.True(socket.EnableBroadcast);
        Assert.Equal(3, (int)socket.GetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive)!);
        Assert.Equal(0, (int)socket.GetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback)!);
        // IP_MULTICAST_IF reads back as the address in network byte order.
        var nic = (int)socket.GetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface)!;
        Assert.Equal(IPAddress.Loopback, new IPAddress(BitConverter.GetBytes(nic)));
        Assert.True(socket.ReceiveBufferSize >= 65536); // Linux doubles what it is given
    }

    [Fact]
    public void IPv6_group_membership_is_set_at_the_IPv6_level()
    {
        Assert.SkipUnless(Socket.OSSupportsIPv6, "This machine has no IPv6.");
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        var group = IPAddress.Parse("ff12::5eed");
        var index = System.Net.NetworkInformation.NetworkInterface.IPv6LoopbackInterfaceIndex;

        // Joining twice fails (EADDRINUSE) only if the first join took effect; leaving then allows a fresh join.
        UdpSocketSetup.Membership(socket, group, index, join: true);
        Assert.Throws<SocketException>(() => UdpSocketSetup.Membership(socket, group, index, join: true));
        UdpSocketSetup.Membership(socket, group, index, join: false);
        UdpSocketSetup.Membership(socket, group, index, join: true);
    }

    [Fact]
    public void Joining_an_IPv6_group_by_interface_address_is_refused_with_a_pointer_to_the_index()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

        var error = Assert.Throws<ArgumentException>(() => UdpSocketSetup.Membership(socket, IPAddress.Parse("ff12::1"), IPAddress.Loopback, join: true));
        Assert.Contains("index", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(UdpEndpointOptions.MaxDatagramSize))]
    [InlineData(nameof(UdpEndpointOptions.MulticastTimeToLive))]
    [InlineData(nameof(UdpEndpointOptions.MulticastInterface))]
    [InlineData(nameof(UdpEndpointOptions.MaxCachedPeers))]
    [InlineData(nameof(UdpEndpointOptions.RemoteEndPoint))]
    public void Validate_names_the_bad_option(string name)
    {
        var options = new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0) };
        switch (name)
        {
            case nameof(UdpEndpointOptions.MaxDatagramSize): options.MaxDatagramSize = UdpEndpointOptions.MaxIPv4DatagramSize + 1; break;
            case nameof(UdpEndpointOptions.MulticastTimeToLive): options.MulticastTimeToLive = 256; break;
            case nameof(UdpEndpointOptions.MulticastInterface): options.MulticastInterface = IPAddress.IPv6Loopback; break;
            case nameof(UdpEndpointOptions.MaxCachedPeers): options.MaxCachedPeers = 0; break;
            case nameof(UdpEndpointOptions.RemoteEndPoint): options.RemoteEndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 9); break;
        }

        Assert.Equal(name, Assert.Throws<ArgumentException>(options.Validate).ParamName);
    }

    [Fact]
    public void Defaults_follow_the_address_family()
    {
        Assert.Equal(65_507, new UdpEndpointOptions().EffectiveMaxDatagramSize);
        Assert.Equal(65_527, new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.IPv6Any, 0) }.EffectiveMaxDatagramSize);
        Assert.Equal(AddressFamily.InterNetworkV6, new UdpEndpointOptions { RemoteEndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 9) }.BindEndPoint.AddressFamily);
        new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.IPv6Any, 0), RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 9) }.Validate(); // dual mode reaches IPv4
    }
}

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

    public static bool HasIPv6 => Ipv6.Value;

    public static IPEndPoint Any4 => new(IPAddress.Loopback, 0);

    /// <summary>Fails the test if <paramref name="address"/> is not a loopback address.</summary>
    public static void Require(IPAddress address)
    {
        if (!IPAddress.IsLoopback(address))
        {
            Assert.Fail($"Tests may only send to loopback; {address} is not.");
        }
    }
}

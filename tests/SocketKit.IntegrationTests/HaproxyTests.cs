using System.Net;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Proxy;
using SocketKit.TestSupport.Services;

namespace SocketKit.IntegrationTests;

/// <summary>
/// Two SocketKit backends behind a real haproxy in TCP mode, one sent the PROXY header v1 (send-proxy), the other v2
/// (send-proxy-v2): each handler sees the real client's address and port, not haproxy's.
/// </summary>
[Collection(nameof(LoopbackTests))]
public class HaproxyTests
{
    [Fact]
    public async Task Behind_haproxy_each_backend_sees_the_clients_real_address_with_v1_and_v2()
    {
        static void Trust(SocketKit.Tcp.TcpServerOptions o) => o.ProxyProtocol = new ProxyProtocolOptions { TrustedProxies = { IPNetwork.Parse("127.0.0.0/8") } };
        await using var v1Backend = await EchoServer.StartAsync(Trust);
        await using var v2Backend = await EchoServer.StartAsync(Trust);
        var (haproxy, ports) = await HaproxyProcess.StartAsync(
            $"server a 127.0.0.1:{v1Backend.EndPoint.Port} send-proxy",
            $"server b 127.0.0.1:{v2Backend.EndPoint.Port} send-proxy-v2");
        await using var _ = haproxy;

        foreach (var (backend, port, version) in new[] { (v1Backend, ports[0], 1), (v2Backend, ports[1], 2) })
        {
            using var client = await RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
            await client.SendFrameAsync("through haproxy"u8.ToArray());

            Assert.Equal("through haproxy"u8.ToArray(), await client.ReadFrameAsync());
            var (connection, _) = await AsyncAssert.Within(backend.Handler.NextConnectedAsync(), $"the v{version} backend's connection");
            Assert.Equal(client.LocalEndPoint, connection.Tuple.RemoteEndPoint); // the client's port, not haproxy's
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), connection.Tuple.LocalEndPoint); // what the client connected to
            Assert.Equal(version, connection.Proxy!.Version);
            Assert.NotEqual(client.LocalEndPoint, connection.ProxyTuple!.Value.RemoteEndPoint); // haproxy's own connection
            Assert.Equal(backend.EndPoint, connection.ProxyTuple.Value.LocalEndPoint);
        }
    }
}

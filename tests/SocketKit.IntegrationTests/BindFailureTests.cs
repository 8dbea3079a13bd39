using System.Net;
using System.Net.Sockets;
using SocketKit.Codecs;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;
using SocketKit.Udp;

namespace SocketKit.IntegrationTests;

/// <summary>A port already taken: the error names the protocol and the endpoint, and keeps the socket error code.</summary>
[Collection(nameof(LoopbackTests))]
public sealed class BindFailureTests
{
    [Fact]
    public async Task A_tcp_server_on_a_port_in_use_names_the_endpoint()
    {
        await using var first = new TcpServer<string, string>(new TcpServerOptions { EndPoints = { Loopback.Any4 } }, Codec.Lines(), new SessionRecorder());
        await first.StartAsync(TestContext.Current.CancellationToken);
        var taken = first.EndPoints[0];
        await using var second = new TcpServer<string, string>(new TcpServerOptions { EndPoints = { taken } }, Codec.Lines(), new SessionRecorder());

        var error = await Assert.ThrowsAsync<SocketException>(() => second.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
        Assert.StartsWith($"Cannot bind TCP {taken}: the address is already in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_udp_endpoint_or_server_on_a_port_in_use_names_the_endpoint()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var taken = (IPEndPoint)holder.LocalEndPoint!;
        await using var endpoint = new UdpEndpoint<string, string>(new UdpEndpointOptions { LocalEndPoint = taken }, Utf8TextCodec.Instance, Utf8TextCodec.Instance);
        var options = new UdpServerOptions();
        options.Endpoint.LocalEndPoint = taken;
        await using var server = new UdpServer<string, string>(options, Utf8TextCodec.Instance, Utf8TextCodec.Instance, new SessionRecorder());

        foreach (var start in new Func<Task>[] { () => endpoint.StartAsync(TestContext.Current.CancellationToken), () => server.StartAsync(TestContext.Current.CancellationToken) })
        {
            var error = await Assert.ThrowsAsync<SocketException>(start);
            Assert.Equal(SocketError.AddressAlreadyInUse, error.SocketErrorCode);
            Assert.StartsWith($"Cannot bind UDP {taken}: the address is already in use", error.Message, StringComparison.Ordinal);
        }
    }
}

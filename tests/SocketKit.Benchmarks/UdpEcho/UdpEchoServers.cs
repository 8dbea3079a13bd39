using System.Buffers;
using System.Net;
using System.Net.Sockets;
using SocketKit.Benchmarks.Echo.Servers;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Udp;

namespace SocketKit.Benchmarks.UdpEcho;

/// <summary>The UDP echo servers compared: SocketKit's endpoint, SocketKit's sessions, and a bare ReceiveFrom/SendTo loop.</summary>
public static class UdpEchoServers
{
    /// <summary>A <see cref="UdpEndpoint{TIn, TOut}"/> whose handler sends each datagram back to its sender.</summary>
    public static async Task<int> StartEndpointAsync(CancellationToken stop)
    {
        var endpoint = new UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(
            new UdpEndpointOptions { LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, BytesCodec.Instance, BytesCodec.Instance, new Echo());
        await endpoint.StartAsync(stop);
        stop.Register(() => _ = endpoint.DisposeAsync().AsTask());
        return endpoint.LocalEndPoint.Port;
    }

    /// <summary>A <see cref="UdpServer{TIn, TOut}"/>: each client a session, each datagram echoed by the session's SendAsync.</summary>
    public static async Task<int> StartSessionsAsync(CancellationToken stop)
    {
        var server = new UdpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(
            new UdpServerOptions { Endpoint = { LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0) } }, BytesCodec.Instance, BytesCodec.Instance, new SessionEcho());
        await server.StartAsync(stop);
        stop.Register(() => _ = server.DisposeAsync().AsTask());
        return server.LocalEndPoint.Port;
    }

    /// <summary>The floor: one socket, <c>ReceiveFromAsync</c> into a buffer and <c>SendToAsync</c> straight back, with the allocation-free <see cref="SocketAddress"/> overloads.</summary>
    public static Task<int> StartBareAsync(CancellationToken stop)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _ = Task.Run(async () =>
        {
            var buffer = new byte[65536];
            var from = new SocketAddress(AddressFamily.InterNetwork);
            using (socket)
            {
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, from, stop);
                        EchoStats.CountMessage();
                        await socket.SendToAsync(buffer.AsMemory(0, received), SocketFlags.None, from, stop);
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }
        }, CancellationToken.None);
        return Task.FromResult(((IPEndPoint)socket.LocalEndPoint!).Port);
    }

    private sealed class Echo : DatagramHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override ValueTask OnDatagramAsync(UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> endpoint, Datagram<ReadOnlySequence<byte>> datagram, CancellationToken stopping)
        {
            EchoStats.CountMessage();
            return endpoint.SendToAsync(datagram.RemoteEndPoint, datagram.Message, stopping);
        }
    }

    private sealed class SessionEcho : ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override ValueTask OnMessageAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, ReadOnlySequence<byte> message, CancellationToken closing)
        {
            EchoStats.CountMessage();
            return connection.SendAsync(message, closing);
        }
    }
}

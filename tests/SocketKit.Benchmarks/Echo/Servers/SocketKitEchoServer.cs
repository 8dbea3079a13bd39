using System.Buffers;
using System.Net;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Tcp;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>SocketKit's TCP echo: the length-field framer, header stripped and re-added (bytes unchanged on the wire).</summary>
public static class SocketKitEchoServer
{
    public static async Task<int> StartAsync(CancellationToken stop) => (await StartServerAsync(stop)).EndPoints[0].Port;

    /// <summary>Starts the server in this process; it stops when <paramref name="stop"/> fires.</summary>
    public static async Task<TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>> StartServerAsync(CancellationToken stop)
    {
        var options = new TcpServerOptions { EndPoints = { new IPEndPoint(IPAddress.Loopback, 0) }, MaxConnections = 100_000, MaxConnectionsPerAddress = 100_000, Backlog = 4096 };
        var server = new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(
            options, Codec.LengthPrefixed(new LengthFieldFramerOptions { MaxFrameLength = 1024 * 1024 }), new Handler());
        await server.StartAsync(stop);
        stop.Register(() => _ = server.DisposeAsync().AsTask());
        return server;
    }

    private sealed class Handler : ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override ValueTask OnMessageAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, ReadOnlySequence<byte> message, CancellationToken closing)
        {
            EchoStats.CountMessage();
            return connection.SendAsync(message, closing);
        }
    }
}

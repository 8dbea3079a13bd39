using System.Buffers;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Tcp;
using SocketKit.Tls;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>SocketKit's TCP echo, optionally over TLS: the length-field framer, header stripped and re-added (bytes unchanged on the wire).</summary>
public static class SocketKitEchoServer
{
    /// <summary>Starts the server in this process and returns its port; it stops when <paramref name="stop"/> fires.</summary>
    /// <param name="stop">Stops the server.</param>
    /// <param name="certificate">TLS 1.3 with this certificate; <see langword="null"/>: plain TCP.</param>
    public static async Task<int> StartAsync(CancellationToken stop, X509Certificate2? certificate = null) =>
        (await StartServerAsync(stop, certificate)).EndPoints[0].Port;

    /// <summary>Starts the server in this process; it stops when <paramref name="stop"/> fires.</summary>
    /// <param name="stop">Stops the server.</param>
    /// <param name="certificate">TLS 1.3 with this certificate; <see langword="null"/>: plain TCP.</param>
    public static async Task<TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>> StartServerAsync(CancellationToken stop, X509Certificate2? certificate = null)
    {
        var options = new TcpServerOptions { EndPoints = { new IPEndPoint(IPAddress.Loopback, 0) }, MaxConnections = 100_000, MaxConnectionsPerAddress = 100_000, Backlog = 4096 };
        if (certificate is not null)
        {
            options.Tls = new TlsServerOptions { Certificate = certificate, EnabledProtocols = SslProtocols.Tls13 };
        }

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

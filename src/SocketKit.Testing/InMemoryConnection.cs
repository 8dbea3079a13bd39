using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Internal;
using SocketKit.Transports;

namespace SocketKit.Testing;

/// <summary>
/// Connections over memory instead of sockets, for fast, deterministic tests of handlers and codecs.
/// The connection behaves as over TCP: same message loop, callbacks, send path, half-close and reset.
/// </summary>
public static class InMemoryConnection
{
    /// <summary>
    /// Creates a started connection whose far end is an <see cref="InMemoryPeer"/> the test drives byte by byte.
    /// </summary>
    /// <typeparam name="TIn">The type of received messages.</typeparam>
    /// <typeparam name="TOut">The type of sent messages.</typeparam>
    /// <param name="codec">The connection's codec.</param>
    /// <param name="handler">The handler, or <see langword="null"/> for pull mode.</param>
    /// <param name="options">Connection settings, or <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock (a fake one in tests), or <see langword="null"/> for the system clock.</param>
    /// <param name="loggerFactory">Where logs go, or <see langword="null"/>.</param>
    /// <returns>The connection and its raw peer.</returns>
    public static (Connection<TIn, TOut> Connection, InMemoryPeer Peer) CreateWithPeer<TIn, TOut>(
        Codec<TIn, TOut> codec,
        ConnectionHandler<TIn, TOut>? handler,
        ConnectionOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(codec);
        options ??= new ConnectionOptions();
        options.Validate();
        var limit = options.ReceiveBufferLimit(codec.Framing.MaxFrameLength, codec.Framing.MaxOverheadLength);
        var (local, remote) = CreateTransports(limit, options);
        var connection = Start(local, 1, 2, codec, handler, options, timeProvider, loggerFactory);
        return (connection, new InMemoryPeer(remote));
    }

    /// <summary>Creates two started connections wired to each other: a "server" end and a "client" end.</summary>
    /// <typeparam name="TIn">The type the server receives and the client sends.</typeparam>
    /// <typeparam name="TOut">The type the server sends and the client receives.</typeparam>
    /// <param name="serverCodec">The server end's codec.</param>
    /// <param name="serverHandler">The server end's handler, or <see langword="null"/> for pull mode.</param>
    /// <param name="clientCodec">The client end's codec.</param>
    /// <param name="clientHandler">The client end's handler, or <see langword="null"/> for pull mode.</param>
    /// <param name="options">Connection settings for both ends, or <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for the system clock.</param>
    /// <returns>The two connections.</returns>
    public static (Connection<TIn, TOut> Server, Connection<TOut, TIn> Client) CreatePair<TIn, TOut>(
        Codec<TIn, TOut> serverCodec,
        ConnectionHandler<TIn, TOut>? serverHandler,
        Codec<TOut, TIn> clientCodec,
        ConnectionHandler<TOut, TIn>? clientHandler,
        ConnectionOptions? options = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(serverCodec);
        ArgumentNullException.ThrowIfNull(clientCodec);
        options ??= new ConnectionOptions();
        options.Validate();
        var limit = Math.Max(
            options.ReceiveBufferLimit(serverCodec.Framing.MaxFrameLength, serverCodec.Framing.MaxOverheadLength),
            options.ReceiveBufferLimit(clientCodec.Framing.MaxFrameLength, clientCodec.Framing.MaxOverheadLength));
        var (a, b) = CreateTransports(limit, options);
        var server = Start(a, 1, 2, serverCodec, serverHandler, options, timeProvider, null);
        var client = Start(b, 2, 1, clientCodec, clientHandler, options, timeProvider, null);
        return (server, client);
    }

    private static (InMemoryTransport A, InMemoryTransport B) CreateTransports(long receiveLimit, ConnectionOptions options) =>
        // Thread-pool scheduling: the peer is test code, which must not run inline inside the connection's loops.
        InMemoryTransport.CreatePair(options.InputPipeOptions(receiveLimit, inline: false), ConnectionOptions.OutputPipeOptions);

    private static Connection<TIn, TOut> Start<TIn, TOut>(
        InMemoryTransport transport, int localPort, int remotePort, Codec<TIn, TOut> codec,
        ConnectionHandler<TIn, TOut>? handler, ConnectionOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory)
    {
        var tuple = new FiveTuple(TransportProtocol.InMemory,
            new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, localPort),
            new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, remotePort));
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SocketKit.Connections.Connection");
        var connection = new Connection<TIn, TOut>(transport, tuple, codec, handler, options,
            ConnectionTicker.Shared(timeProvider ?? TimeProvider.System), logger, group: null, CancellationToken.None);
        _ = connection.RunAsync();
        return connection;
    }
}

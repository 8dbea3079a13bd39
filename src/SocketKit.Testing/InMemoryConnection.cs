using System.IO.Pipelines;
using System.Net;
using Microsoft.Extensions.Logging;
using SocketKit.Codecs;
using SocketKit.Connections;

namespace SocketKit.Testing;

/// <summary>
/// Connections over memory instead of sockets, for fast, deterministic tests of handlers and codecs.
/// The connection behaves as over TCP: same message loop, callbacks, send path, half-close and reset
/// (it runs on <see cref="PipeConnection"/>, SocketKit's public connection over a duplex pipe).
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
        var toConnection = new Pipe(PeerPipeOptions);
        var fromConnection = new Pipe(PeerPipeOptions);
        var connection = PipeConnection.Start(new DuplexPipe(toConnection.Reader, fromConnection.Writer), Tuple(1, 2), codec, handler, options, timeProvider, loggerFactory);
        return (connection, new InMemoryPeer(fromConnection.Reader, toConnection.Writer));
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
        var toServer = new Pipe(PeerPipeOptions);
        var toClient = new Pipe(PeerPipeOptions);
        var server = PipeConnection.Start(new DuplexPipe(toServer.Reader, toClient.Writer), Tuple(1, 2), serverCodec, serverHandler, options, timeProvider);
        var client = PipeConnection.Start(new DuplexPipe(toClient.Reader, toServer.Writer), Tuple(2, 1), clientCodec, clientHandler, options, timeProvider);
        return (server, client);
    }

    /// <summary>The wire between the two ends: bounded like a socket's buffers, never run inline.</summary>
    private static PipeOptions PeerPipeOptions { get; } = new(useSynchronizationContext: false);

    private static FiveTuple Tuple(int localPort, int remotePort) =>
        new(TransportProtocol.InMemory, new IPEndPoint(IPAddress.Loopback, localPort), new IPEndPoint(IPAddress.Loopback, remotePort));

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}

using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Diagnostics;
using SocketKit.Internal;
using SocketKit.Servers;
using SocketKit.Transports;

namespace SocketKit.Udp;

/// <summary>
/// A UDP server that presents each remote peer as a session: a <see cref="Connection{TIn, TOut}"/> keyed by its
/// five-tuple, with the TCP lifecycle. <c>OnConnectedAsync</c> runs on the peer's first datagram, <c>OnMessageAsync</c>
/// for each datagram, <c>OnIdleAsync</c> as configured, and <c>OnDisconnectedAsync</c> when the session expires
/// (<see cref="CloseReason.IdleTimeout"/>), is closed, is evicted for a new peer, or the server stops. Replies go
/// through the session's <c>SendAsync</c>, one datagram per message.
/// </summary>
/// <remarks>
/// A datagram that does not decode goes to <c>OnError</c> and is dropped; the session carries on. A session whose
/// handler falls a receive buffer behind drops further datagrams until it catches up (counted in
/// <see cref="DroppedDatagrams"/>); the receive loop never waits for one session. A peer that comes back after its
/// session ended gets a new session, with a new <see cref="Connection{TIn, TOut}.Id"/>.
/// </remarks>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public sealed partial class UdpServer<TIn, TOut> : IConnectionGroup<TIn, TOut>, IConnectionOwner, IAsyncDisposable
{
    private readonly UdpServerOptions _options;
    private readonly Codec<TIn, TOut> _codec;
    private readonly IConnectionHandlerFactory<TIn, TOut> _handlers;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _connectionLogger;
    private readonly TimeProvider _time;
    private readonly Dictionary<FiveTuple, Session> _sessions = new();
    private readonly LinkedList<Session> _byLastDatagram = new(); // least recently heard first
    private readonly Lock _table = new();
    private readonly ServerLifetime _lifetime = new();
    private UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>>? _endpoint;
    private Sender? _sender;
    private ConnectionTicker? _ticker;
    private ServerMetrics? _metrics;
    private long _receiveLimit; // bytes of datagrams queued for one session whose handler is behind
    // Copies of queued datagrams, for all sessions: rented on the receive loop, returned on each session's thread.
    private readonly ArrayPool<byte> _datagramPool = ArrayPool<byte>.Create(maxArrayLength: UdpEndpointOptions.MaxIPv6DatagramSize + 1, maxArraysPerBucket: 1024);
    private long _accepted;
    private long _rejected;
    private long _evicted;
    private long _dropped;
    private int _started;

    /// <summary>Creates a server whose sessions share one handler; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The settings; validated at start.</param>
    /// <param name="decoder">Turns a datagram into a message.</param>
    /// <param name="encoder">Turns a message into a datagram.</param>
    /// <param name="handler">What to do with each session's events; one instance serves all sessions.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for idle and expiry checks; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in a required parameter's type (a handler or a handler factory), so no call is ambiguous.")]
    public UdpServer(UdpServerOptions options, IMessageDecoder<TIn> decoder, IMessageEncoder<TOut> encoder, ConnectionHandler<TIn, TOut> handler,
        ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, decoder, encoder, SharedHandlerFactory<TIn, TOut>.For(handler), loggerFactory, timeProvider)
    {
    }

    /// <summary>Creates a server that gives each session its own handler; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The settings; validated at start.</param>
    /// <param name="decoder">Turns a datagram into a message.</param>
    /// <param name="encoder">Turns a message into a datagram.</param>
    /// <param name="handlers">Creates each session's handler on the peer's first datagram, and releases it when the session is finished.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for idle and expiry checks; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in a required parameter's type (a handler or a handler factory), so no call is ambiguous.")]
    public UdpServer(UdpServerOptions options, IMessageDecoder<TIn> decoder, IMessageEncoder<TOut> encoder, IConnectionHandlerFactory<TIn, TOut> handlers,
        ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(handlers);
        _options = options;
        // A session's transport carries whole datagrams: nothing frames them; a message is sent as it is encoded.
        _codec = new Codec<TIn, TOut>(Framing.Raw(UdpEndpointOptions.MaxIPv6DatagramSize), decoder, encoder);
        _handlers = handlers;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _connectionLogger = _loggerFactory.CreateLogger("SocketKit.Connections.Connection");
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The endpoint actually bound (with the real port when 0 was asked for).</summary>
    /// <exception cref="InvalidOperationException">The server is not started.</exception>
    public IPEndPoint LocalEndPoint => (_endpoint ?? throw new InvalidOperationException("The server is not started.")).LocalEndPoint;

    /// <inheritdoc />
    public IReadOnlyCollection<Connection<TIn, TOut>> Connections
    {
        get
        {
            lock (_table)
            {
                return _sessions.Values.Select(session => session.Connection).ToArray();
            }
        }
    }

    /// <summary>Sessions opened so far.</summary>
    public long AcceptedSessions => Interlocked.Read(ref _accepted);

    /// <summary>Datagrams from new peers that the accept filter refused, or whose handler could not be created.</summary>
    public long RejectedDatagrams => Interlocked.Read(ref _rejected);

    /// <summary>Sessions closed to make room for a new peer.</summary>
    public long EvictedSessions => Interlocked.Read(ref _evicted);

    /// <summary>Datagrams dropped because their session's handler was a full receive buffer behind, or the server was stopping.</summary>
    public long DroppedDatagrams => Interlocked.Read(ref _dropped);

    /// <summary>Checks every destination before a send; tests set it to keep all traffic on loopback.</summary>
    internal Action<IPEndPoint>? DestinationCheck { get; set; }

    /// <summary>Binds the socket and starts receiving.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the server is bound.</returns>
    /// <exception cref="InvalidOperationException">The server was already started.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _options.Validate();
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        _receiveLimit = _options.Session.ReceiveBufferLimit(_options.Endpoint.EffectiveMaxDatagramSize, 0);
        _ticker = new ConnectionTicker(_time, _options.TickInterval);
        _endpoint = new UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(
            _options.Endpoint, BytesCodec.Instance, BytesCodec.Instance, new Dispatcher(this), _loggerFactory)
        {
            DestinationCheck = DestinationCheck,
        };
        await _endpoint.StartAsync(cancellationToken).ConfigureAwait(false);
        _sender = new Sender(_endpoint);
        _metrics = new ServerMetrics("udp", _endpoint.LocalEndPoint, _table, OpenTraffic, SessionCount, () => DroppedDatagrams, () => EvictedSessions);
    }

    /// <inheritdoc />
    public ValueTask<int> BroadcastAsync(TOut message, Func<Connection<TIn, TOut>, bool>? filter = null, CancellationToken cancellationToken = default) =>
        Broadcast.SendAsync(Connections, _codec.Encoder, message, filter, cancellationToken);

    /// <summary>
    /// Runs the server for a console app or service: starts it (if it is not started yet), serves until the process is
    /// asked to stop by SIGINT (Ctrl+C), SIGTERM (systemd, Docker, Kubernetes) or SIGQUIT, or until <c>StopAsync</c> is
    /// called, then stops gracefully, draining for up to <see cref="UdpServerOptions.DrainTimeout"/>.
    /// A second signal during the drain cuts it short. While it runs, these signals stop the server instead of ending the process; the process ends when the
    /// program returns. Needs no console input.
    /// </summary>
    /// <remarks>
    /// The signals are taken before the server starts, and both are done when this method returns: announce that the
    /// server listens after calling it, and a stop signal sent the moment the announcement is seen stops it gracefully.
    /// An app that handles its own signals (or runs in the Generic Host) calls <see cref="RunAsync(CancellationToken)"/> instead.
    /// </remarks>
    /// <returns>A task that completes when the server has stopped.</returns>
    public Task RunAsync() => ServerRun.RunUntilSignalledAsync(StartIfNotStartedAsync, StopAsync, _lifetime.Stopping);

    /// <summary>
    /// Runs the server for an app that owns its signals, or a worker: starts it (if it is not started yet), serves until
    /// <paramref name="cancellationToken"/> is cancelled or <c>StopAsync</c> is called, then stops gracefully, draining
    /// for up to <see cref="UdpServerOptions.DrainTimeout"/>. Does not listen for signals itself:
    /// cancel the token from your own handler, or call <see cref="RunAsync()"/>. Needs no console input.
    /// </summary>
    /// <param name="cancellationToken">Cancel it to stop the server.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public Task RunAsync(CancellationToken cancellationToken) =>
        ServerRun.RunAsync(StartIfNotStartedAsync, StopAsync, _lifetime.Stopping, cancellationToken, CancellationToken.None);

    private Task StartIfNotStartedAsync() => Volatile.Read(ref _started) == 0 ? StartAsync(CancellationToken.None) : Task.CompletedTask;

    /// <summary>
    /// Stops: new datagrams are dropped, every session closes (<see cref="CloseReason.ServerShutdown"/>) after its
    /// running callback, sends what it has buffered until <see cref="UdpServerOptions.DrainTimeout"/>, then the socket
    /// closes. Idempotent.
    /// </summary>
    /// <param name="cancellationToken">Cuts the drain short.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _started) == 0
            ? Task.CompletedTask
            : _lifetime.StopAsync(() => Task.CompletedTask, () => Connections, _options.DrainTimeout, _time, CloseSocketAsync, cancellationToken);

    /// <summary>Stops the server (<see cref="StopAsync"/>) and releases it.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    void IConnectionOwner.OnTransportClosed(IOwnedConnection connection)
    {
        lock (_table)
        {
            if (_sessions.TryGetValue(connection.Tuple, out var session) && ReferenceEquals(session.Connection, connection))
            {
                Forget(session);
            }
        }
    }

    void IConnectionOwner.OnProtocolError() => _metrics?.ProtocolError();

    void IConnectionOwner.OnUpgraded(IOwnedConnection previous, IOwnedConnection next) =>
        throw new NotSupportedException("A UDP session cannot switch protocols."); // Upgrade refuses datagram connections first

    private int SessionCount()
    {
        lock (_table)
        {
            return _sessions.Count;
        }
    }

    /// <summary>The traffic of the open sessions, for a metrics collection (under the table's lock, which is the metrics' lock).</summary>
    private TrafficCounts OpenTraffic()
    {
        var total = default(TrafficCounts);
        foreach (var session in _sessions.Values)
        {
            total += session.Connection.Traffic;
        }

        return total;
    }

    void IConnectionOwner.OnFinished(IOwnedConnection connection)
    {
        ((IConnectionOwner)this).OnTransportClosed(connection);
        _metrics!.Closed(connection.Id, connection.CloseInfo!, _time.GetElapsedTime(connection.CreatedAt));
        _lifetime.ConnectionEnded();
    }

    /// <summary>After the drain: the sessions have sent what they had, so the socket can go.</summary>
    private async Task CloseSocketAsync()
    {
        await _endpoint!.StopAsync(CancellationToken.None).ConfigureAwait(false);
        _ticker?.Dispose();
        _metrics?.Dispose();
    }

    /// <summary>Sessions send through the server's one socket.</summary>
    private sealed class Sender(UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> endpoint) : IDatagramSender
    {
        public ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken) =>
            endpoint.SendToAsync(peer, new ReadOnlySequence<byte>(datagram), cancellationToken);
    }

    private sealed class Dispatcher(UdpServer<TIn, TOut> server) : DatagramHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override ValueTask OnDatagramAsync(UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> endpoint, Datagram<ReadOnlySequence<byte>> datagram, CancellationToken stopping) =>
            server.DispatchAsync(datagram);
    }
}

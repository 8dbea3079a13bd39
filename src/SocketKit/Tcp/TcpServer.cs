using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Diagnostics;
using SocketKit.Internal;
using SocketKit.Servers;

namespace SocketKit.Tcp;

/// <summary>
/// A TCP server: listens on one or more endpoints, accepts connections, and runs each through the codec and
/// handler. Lists its connections, broadcasts, and stops gracefully.
/// </summary>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public sealed partial class TcpServer<TIn, TOut> : IConnectionGroup<TIn, TOut>, IConnectionOwner, ITickable, IAsyncDisposable
{
    private static readonly TimeSpan MaxAcceptBackoff = TimeSpan.FromSeconds(1);
    private readonly TcpServerOptions _options;
    private readonly Codec<TIn, TOut> _codec;
    private readonly IConnectionHandlerFactory<TIn, TOut> _handlers;
    private readonly ILogger _logger;
    private readonly ILogger _connectionLogger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, IOwnedConnection> _connections = new(); // some may have switched protocols (Upgrade)
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private AcceptBudget? _acceptBudget;
    private SslServerAuthenticationOptions? _sslOptions;
    private long _handshakeFailures;
    private TaskCompletionSource? _handshakeStarted; // tests only
    private TaskCompletionSource? _handshakeFailed;  // tests only
    private readonly List<Socket> _listeners = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly ServerLifetime _lifetime = new();
    private ConnectionTicker? _ticker;
    private ServerMetrics? _metrics;
    private List<IPEndPoint> _endPoints = [];
    private List<UnixDomainSocketEndPoint> _unixEndPoints = [];
    private PipeOptions? _inputPipeOptions; // one for every connection: the limit depends only on the framing
    private int _active;   // connection slots in use (freed when a socket closes)
    private long _accepted;
    private long _rejected;
    private int _started;

    /// <summary>Creates a server whose connections share one handler; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The settings; validated at start.</param>
    /// <param name="codec">How bytes become messages and back.</param>
    /// <param name="handler">What to do with each connection's events; one instance serves all connections.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for idle and timeout checks; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in a required parameter's type (a handler or a handler factory), so no call is ambiguous.")]
    public TcpServer(TcpServerOptions options, Codec<TIn, TOut> codec, ConnectionHandler<TIn, TOut> handler, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(options, codec, SharedHandlerFactory<TIn, TOut>.For(handler), loggerFactory, timeProvider)
    {
    }

    /// <summary>Creates a server that gives each connection its own handler; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The settings; validated at start.</param>
    /// <param name="codec">How bytes become messages and back.</param>
    /// <param name="handlers">Creates each connection's handler once it is accepted (after the TLS handshake), and releases it when the connection is finished.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for idle and timeout checks; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in a required parameter's type (a handler or a handler factory), so no call is ambiguous.")]
    public TcpServer(TcpServerOptions options, Codec<TIn, TOut> codec, IConnectionHandlerFactory<TIn, TOut> handlers, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(handlers);
        _options = options;
        _codec = codec;
        _handlers = handlers;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("SocketKit.Tcp.TcpServer");
        _connectionLogger = loggerFactory.CreateLogger("SocketKit.Connections.Connection");
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How a connection is taken from a listener; tests replace it to inject accept failures.</summary>
    internal Func<Socket, CancellationToken, ValueTask<Socket>> Accept { get; set; } = static (listener, ct) => listener.AcceptAsync(ct);

    /// <summary>The endpoints actually bound (with the real port when 0 was asked for). Empty before start.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => _endPoints;

    /// <summary>The Unix domain socket paths listened on (<see cref="TcpServerOptions.UnixEndPoints"/>). Empty before start.</summary>
    public IReadOnlyList<UnixDomainSocketEndPoint> UnixEndPoints => _unixEndPoints;

    /// <inheritdoc />
    /// <remarks>A connection that switched protocols (<see cref="Connection{TIn, TOut}.Upgrade"/>) is no longer listed: it has other message types. <see cref="ConnectionCount"/> still counts it.</remarks>
    public IReadOnlyCollection<Connection<TIn, TOut>> Connections => _connections.Values.OfType<Connection<TIn, TOut>>().ToArray();

    /// <summary>The number of connections holding a slot now (including ones still in the accept filter); freed when the socket closes.</summary>
    public int ConnectionCount => Volatile.Read(ref _active);

    /// <summary>Internal for tests: completes when the next TLS handshake has started its deadline (take it before connecting).</summary>
    internal Task HandshakeStarted => Waiter.GetOrCreate(ref _handshakeStarted).Task;

    /// <summary>Internal for tests: completes when the next TLS handshake failure has been counted.</summary>
    internal Task HandshakeFailed => Waiter.GetOrCreate(ref _handshakeFailed).Task;

    /// <summary>Connections whose TLS handshake failed or timed out (they were reset and never reached a handler).</summary>
    public long HandshakeFailures => Interlocked.Read(ref _handshakeFailures);

    /// <summary>Connections accepted and served since start.</summary>
    public long AcceptedConnections => Interlocked.Read(ref _accepted);

    /// <summary>Connections refused since start: over a connection limit, rejected by the accept filter, or whose <see cref="TcpSocketOptions.ConfigureSocket"/> hook threw.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejected);

    /// <summary>Binds every endpoint and starts accepting.</summary>
    /// <param name="cancellationToken">Not used after binding; present for symmetry with hosting.</param>
    /// <returns>A task that completes when every endpoint is listening.</returns>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="SocketException">An endpoint could not be bound.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        _options.Validate();
        _inputPipeOptions = _options.Connection.InputPipeOptions(
            _options.Connection.ReceiveBufferLimit(_codec.Framing.MaxFrameLength, _codec.Framing.MaxOverheadLength));
        BindListeners();
        _metrics = _endPoints.Count > 0
            ? new ServerMetrics("tcp", _endPoints[0], new Lock(), OpenTraffic, () => _connections.Count)
            : new ServerMetrics("unix", _unixEndPoints[0], new Lock(), OpenTraffic, () => _connections.Count);
        _ticker = new ConnectionTicker(_time, _options.TickInterval);
        _sslOptions = _options.Tls?.ToSslOptions();
        if (_options.MaxAcceptsPerSecond is { } rate)
        {
            _acceptBudget = new AcceptBudget(rate, _options.TickInterval);
            _ticker.Register(ConnectionTicker.OwnerKey, this);
        }

        foreach (var listener in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(listener));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs the server for a console app or service: starts it (if it is not started yet), serves until the process is
    /// asked to stop by SIGINT (Ctrl+C), SIGTERM (systemd, Docker, Kubernetes) or SIGQUIT, or until <c>StopAsync</c> is
    /// called, then stops gracefully, draining for up to <see cref="TcpServerOptions.DrainTimeout"/>.
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
    /// for up to <see cref="TcpServerOptions.DrainTimeout"/>. Does not listen for signals itself:
    /// cancel the token from your own handler, or call <see cref="RunAsync()"/>. Needs no console input.
    /// </summary>
    /// <param name="cancellationToken">Cancel it to stop the server.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public Task RunAsync(CancellationToken cancellationToken) =>
        ServerRun.RunAsync(StartIfNotStartedAsync, StopAsync, _lifetime.Stopping, cancellationToken, CancellationToken.None);

    private Task StartIfNotStartedAsync() => Volatile.Read(ref _started) == 0 ? StartAsync(CancellationToken.None) : Task.CompletedTask;

    /// <summary>
    /// Stops gracefully: stops accepting, marks every connection closing (<see cref="CloseReason.ServerShutdown"/>),
    /// lets running callbacks finish, flushes replies and sends FIN, waits for the peers' FIN until
    /// <see cref="TcpServerOptions.DrainTimeout"/>, then resets whatever is still open. Idempotent.
    /// </summary>
    /// <param name="cancellationToken">Cuts the drain short: remaining connections are reset at once.</param>
    /// <returns>A task that completes when the server has stopped.</returns>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _started) == 0
            ? Task.CompletedTask
            : _lifetime.StopAsync(StopAcceptingAsync, () => _connections.Values, _options.DrainTimeout, _time, DisposeTicker, cancellationToken);

    /// <summary>Stops the server (<see cref="StopAsync"/>) and releases it.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    /// <inheritdoc />
    public ValueTask<int> BroadcastAsync(TOut message, Func<Connection<TIn, TOut>, bool>? filter = null, CancellationToken cancellationToken = default) =>
        Broadcast.SendAsync(_connections.Values.OfType<Connection<TIn, TOut>>(), _codec.Encoder, message, filter, cancellationToken);

    private async Task StopAcceptingAsync()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        Log.Stopping(_logger, _connections.Count, _options.DrainTimeout);
    }

    private Task DisposeTicker()
    {
        _ticker?.Dispose();
        _metrics?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The traffic of the open connections, for a metrics collection (under the metrics' lock).</summary>
    private TrafficCounts OpenTraffic()
    {
        var total = default(TrafficCounts);
        foreach (var connection in _connections.Values)
        {
            total += connection.Traffic;
        }

        return total;
    }

    void IConnectionOwner.OnTransportClosed(IOwnedConnection connection)
    {
        // Free the slot as soon as the socket is closed, so OnDisconnectedAsync already sees room for a new client.
        lock (_metrics!.Sync)
        {
            if (!_connections.TryRemove(new KeyValuePair<long, IOwnedConnection>(connection.Id, connection)))
            {
                return;
            }

            _metrics.Ended(connection.Traffic);
        }

        Interlocked.Decrement(ref _active);
        ReleaseAddressSlot(connection.Tuple.RemoteAddress);
    }

    void IConnectionOwner.OnProtocolError() => _metrics?.ProtocolError();

    void IConnectionOwner.OnUpgraded(IOwnedConnection previous, IOwnedConnection next)
    {
        lock (_metrics!.Sync) // a metrics collection sees the traffic once: in the old phase or the new
        {
            if (!_connections.TryUpdate(next.Id, next, previous))
            {
                return;
            }
        }

        if (_lifetime.IsStopping)
        {
            next.TryClose(CloseReason.ServerShutdown, null); // raced with StopAsync's sweep
        }
    }

    void ITickable.OnTick(long timestamp) => _acceptBudget?.Refill();

    void IConnectionOwner.OnFinished(IOwnedConnection connection)
    {
        ((IConnectionOwner)this).OnTransportClosed(connection); // in case it never got that far
        _metrics!.Closed(connection.Id, connection.CloseInfo!, _time.GetElapsedTime(connection.CreatedAt));
        _lifetime.ConnectionEnded();
    }
}

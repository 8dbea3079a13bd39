using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Internal;

namespace SocketKit.Tcp;

/// <summary>
/// A TCP server: listens on one or more endpoints, accepts connections, and runs each through the codec and
/// handler. Lists its connections, broadcasts, and stops gracefully.
/// </summary>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public sealed class TcpServer<TIn, TOut> : IConnectionGroup<TIn, TOut>, IConnectionOwner<TIn, TOut>, ITickable, IAsyncDisposable
{
    private static readonly TimeSpan MaxAcceptBackoff = TimeSpan.FromSeconds(1);
    private readonly TcpServerOptions _options;
    private readonly Codec<TIn, TOut> _codec;
    private readonly ConnectionHandler<TIn, TOut> _handler;
    private readonly ILogger _logger;
    private readonly ILogger _connectionLogger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, Connection<TIn, TOut>> _connections = new();
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private readonly long _tickId = ConnectionIds.Next();
    private AcceptBudget? _acceptBudget;
    private SslServerAuthenticationOptions? _sslOptions;
    private long _handshakeFailures;
    private TaskCompletionSource? _handshakeStarted; // tests only
    private TaskCompletionSource? _handshakeFailed;  // tests only
    private readonly List<Socket> _listeners = new();
    private readonly List<Task> _acceptLoops = new();
    private readonly ServerLifetime _lifetime = new();
    private ConnectionTicker? _ticker;
    private IReadOnlyList<IPEndPoint> _endPoints = [];
    private PipeOptions? _inputPipeOptions; // one for every connection: the limit depends only on the framing
    private int _active;   // connection slots in use (freed when a socket closes)
    private long _accepted;
    private long _rejected;
    private int _started;

    /// <summary>Creates a server; nothing is bound until <see cref="StartAsync"/>.</summary>
    /// <param name="options">The settings; validated at start.</param>
    /// <param name="codec">How bytes become messages and back.</param>
    /// <param name="handler">What to do with each connection's events; one instance serves all connections.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for idle and timeout checks; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    public TcpServer(TcpServerOptions options, Codec<TIn, TOut> codec, ConnectionHandler<TIn, TOut> handler, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(handler);
        _options = options;
        _codec = codec;
        _handler = handler;
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("SocketKit.Tcp.TcpServer");
        _connectionLogger = loggerFactory.CreateLogger("SocketKit.Connections.Connection");
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How a connection is taken from a listener; tests replace it to inject accept failures.</summary>
    internal Func<Socket, CancellationToken, ValueTask<Socket>> Accept { get; set; } = static (listener, ct) => listener.AcceptAsync(ct);

    /// <summary>The endpoints actually bound (with the real port when 0 was asked for). Empty before start.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => _endPoints;

    /// <inheritdoc />
    public IReadOnlyCollection<Connection<TIn, TOut>> Connections => _connections.Values.ToArray();

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

    /// <summary>Connections refused since start: over the connection limit or rejected by the accept filter.</summary>
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
        var bound = new List<IPEndPoint>();
        try
        {
            foreach (var endPoint in _options.EndPoints)
            {
                var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                _listeners.Add(listener);
                if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
                {
                    listener.DualMode = _options.DualMode;
                }

                listener.Bind(endPoint);
                listener.Listen(_options.Backlog);
                bound.Add((IPEndPoint)listener.LocalEndPoint!);
                Log.Listening(_logger, listener.LocalEndPoint);
            }
        }
        catch
        {
            foreach (var listener in _listeners)
            {
                listener.Dispose();
            }

            _listeners.Clear();
            throw;
        }

        _endPoints = bound;
        _ticker = new ConnectionTicker(_time, _options.TickInterval);
        _sslOptions = _options.Tls?.ToSslOptions();
        if (_options.MaxAcceptsPerSecond is { } rate)
        {
            _acceptBudget = new AcceptBudget(rate, _options.TickInterval);
            _ticker.Register(_tickId, this);
        }

        foreach (var listener in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(listener));
        }

        return Task.CompletedTask;
    }

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
        new(Broadcast.Send(_connections.Values, _codec.Encoder, message, filter, cancellationToken));

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
        return Task.CompletedTask;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        var backoff = TimeSpan.FromMilliseconds(10);
        var token = _lifetime.Stopping;
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                if (_acceptBudget is not null)
                {
                    await _acceptBudget.TakeAsync(token).ConfigureAwait(false);
                }

                socket = await Accept(listener, token).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(10);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException e)
            {
                // Out of descriptors, out of buffers, a client that gave up: log, back off, keep accepting.
                Log.AcceptFailed(_logger, listener.LocalEndPoint, backoff, e);
                try
                {
                    await Task.Delay(backoff, _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxAcceptBackoff.Ticks));
                continue;
            }

            if (Interlocked.Increment(ref _active) > _options.MaxConnections)
            {
                Reject(socket, "connection limit reached");
                Interlocked.Decrement(ref _active);
                continue;
            }

            _lifetime.ConnectionStarted();
            _ = ServeAsync(socket);
        }
    }

    /// <summary>
    /// Sets up one accepted connection off the accept loop: configure, filter, then start the connection, which reports
    /// back through <see cref="IConnectionOwner{TIn, TOut}"/>. This task ends once the connection runs, so an idle
    /// connection holds no state machine here.
    /// </summary>
    private async Task ServeAsync(Socket socket)
    {
        await Task.Yield();
        IPAddress? address = null; // set once this connection holds one of its address's slots
        FiveTuple tuple = default;
        try
        {
            tuple = new FiveTuple(TransportProtocol.Tcp, (IPEndPoint)socket.LocalEndPoint!, (IPEndPoint)socket.RemoteEndPoint!);
            if (!TryTakeAddressSlot(tuple.RemoteAddress))
            {
                Reject(socket, "too many connections from this address");
                OnSetupEnded();
                return;
            }

            address = tuple.RemoteAddress;
            try
            {
                _options.Socket.Apply(socket);
            }
            catch (Exception e) when (e is not (SocketException or ObjectDisposedException))
            {
                // The user's ConfigureSocket hook threw: this connection is refused, the server carries on.
                Log.ConfigureSocketFailed(_logger, tuple, e);
                Reject(socket, "ConfigureSocket threw");
                OnSetupEnded(address);
                return;
            }

            if (_options.AcceptFilter is { } filter && !await RunFilterAsync(filter, tuple).ConfigureAwait(false))
            {
                Reject(socket, "refused by the accept filter");
                OnSetupEnded(address);
                return;
            }

            Transport transport = new SocketTransport(socket, _inputPipeOptions!, _sslOptions is null ? ConnectionOptions.OutputPipeOptions : TlsTransport.InnerOutputPipeOptions);
            if (_sslOptions is not null)
            {
                var tls = new TlsTransport(transport, _inputPipeOptions!, ConnectionOptions.OutputPipeOptions);
                var handshake = tls.AuthenticateAsServerAsync(_sslOptions, _options.Tls!.HandshakeTimeout, _time, _lifetime.Stopping);
                Waiter.Release(ref _handshakeStarted); // its deadline is running now
                if (await handshake.ConfigureAwait(false) is { } failure)
                {
                    Interlocked.Increment(ref _handshakeFailures);
                    Waiter.Release(ref _handshakeFailed);
                    Log.HandshakeFailed(_logger, tuple, failure);
                    OnSetupEnded(address);
                    return;
                }

                transport = tls;
            }

            var connection = new Connection<TIn, TOut>(transport, tuple, _codec, _handler, _options.Connection, _ticker!,
                _connectionLogger, this, _lifetime.DrainExpired)
            {
                Owner = this,
            };
            _connections[connection.Id] = connection;
            Interlocked.Increment(ref _accepted);
            if (_lifetime.IsStopping)
            {
                connection.TryClose(CloseReason.ServerShutdown, null); // raced with StopAsync's sweep
            }

            _ = connection.RunAsync();
        }
        catch (Exception e)
        {
            // The peer vanished before we could set it up, or setup failed in a way nobody could foresee: this connection
            // only is dropped and its slots given back (RunAsync reports its own failures, so it is not running).
            if (e is not (SocketException or ObjectDisposedException))
            {
                Log.SetupFailed(_logger, tuple, e);
            }

            socket.Dispose();
            OnSetupEnded(address);
        }
    }

    void IConnectionOwner<TIn, TOut>.OnTransportClosed(Connection<TIn, TOut> connection)
    {
        // Free the slot as soon as the socket is closed, so OnDisconnectedAsync already sees room for a new client.
        if (_connections.TryRemove(connection.Id, out _))
        {
            Interlocked.Decrement(ref _active);
            ReleaseAddressSlot(connection.Tuple.RemoteAddress);
        }
    }

    void ITickable.OnTick(long timestamp) => _acceptBudget?.Refill();

    void IConnectionOwner<TIn, TOut>.OnFinished(Connection<TIn, TOut> connection)
    {
        ((IConnectionOwner<TIn, TOut>)this).OnTransportClosed(connection); // in case it never got that far
        _lifetime.ConnectionEnded();
    }

    /// <summary>An accepted socket was refused or lost before it became a connection: give back its slots.</summary>
    private void OnSetupEnded(IPAddress? address = null)
    {
        Interlocked.Decrement(ref _active);
        if (address is not null)
        {
            ReleaseAddressSlot(address);
        }

        _lifetime.ConnectionEnded();
    }

    private bool TryTakeAddressSlot(IPAddress address)
    {
        while (true)
        {
            var current = _perAddress.GetOrAdd(address, 0);
            if (current >= _options.MaxConnectionsPerAddress)
            {
                return false;
            }

            if (_perAddress.TryUpdate(address, current + 1, current))
            {
                return true;
            }
        }
    }

    private void ReleaseAddressSlot(IPAddress address)
    {
        while (_perAddress.TryGetValue(address, out var current))
        {
            // The last slot removes the entry, so the table holds only addresses with open connections.
            if (current <= 1 ? _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, current)) : _perAddress.TryUpdate(address, current - 1, current))
            {
                return;
            }
        }
    }


    private async ValueTask<bool> RunFilterAsync(Func<FiveTuple, CancellationToken, ValueTask<bool>> filter, FiveTuple tuple)
    {
        try
        {
            return await filter(tuple, _lifetime.Stopping).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Log.AcceptFilterFailed(_logger, tuple, e);
            return false;
        }
    }

    private void Reject(Socket socket, string why)
    {
        Interlocked.Increment(ref _rejected);
        try
        {
            if (_logger.IsEnabled(LogLevel.Information) && socket.RemoteEndPoint is IPEndPoint remote && socket.LocalEndPoint is IPEndPoint local)
            {
                Log.ConnectionRejected(_logger, new FiveTuple(TransportProtocol.Tcp, local, remote), why);
            }

            socket.LingerState = new LingerOption(true, 0); // reset: no TIME_WAIT left on the server
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        socket.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SocketKit.Connections;
using SocketKit.Internal;
using SocketKit.Servers;
using SocketKit.Transports;

namespace SocketKit.Tcp;

// Taking connections in: the accept loop with its backoff, admission (limits, filter), and setting up each connection.
public sealed partial class TcpServer<TIn, TOut>
{
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
                Interlocked.Decrement(ref _active); // before the reset: when the client sees it, the count is already right
                Reject(socket, "connection limit reached", "connection_limit");
                continue;
            }

            _lifetime.ConnectionStarted();
            _ = ServeAsync(socket);
        }
    }

    /// <summary>
    /// Sets up one accepted connection off the accept loop: configure, filter, then start the connection, which reports
    /// back through <see cref="IConnectionOwner"/>. This task ends once the connection runs, so an idle
    /// connection holds no state machine here.
    /// </summary>
    private async Task ServeAsync(Socket socket)
    {
        await Task.Yield();
        IPAddress? address = null; // set once this connection holds one of its address's slots
        FiveTuple tuple = default;
        Transport? transport = null; // started early when a PROXY header comes first
        ConnectionOrigin? origin = null;
        var outputPipe = _sslOptions is null ? ConnectionOptions.OutputPipeOptions : TlsTransport.InnerOutputPipeOptions;
        try
        {
            tuple = SocketTuple.Of(socket);
            var isLocal = tuple.Protocol == TransportProtocol.Unix; // a Unix domain client: no proxy in front, no address to count
            if (isLocal && UnixPeerCredentials.Of(socket) is { } peer)
            {
                origin = new ConnectionOrigin(Peer: peer);
            }

            if (!isLocal && _options.ProxyProtocol is { } proxy)
            {
                if (!proxy.IsTrusted(tuple.RemoteAddress))
                {
                    OnSetupEnded(); // the slots first: when the client sees the reset, the counts are already right
                    Reject(socket, "not a trusted proxy", "proxy_untrusted");
                    return;
                }

                transport = new SocketTransport(socket, _inputPipeOptions!, outputPipe);
                if (await ReadProxyHeaderAsync(transport, proxy, tuple).ConfigureAwait(false) is not { } header)
                {
                    OnSetupEnded();
                    return;
                }

                // From here on the connection is the client's: limits, the filter, logs and metrics see its address.
                origin = new ConnectionOrigin(header, tuple);
                if (!header.IsLocal)
                {
                    tuple = new FiveTuple(TransportProtocol.Tcp, header.Destination!, header.Source!);
                }
            }

            if (!isLocal)
            {
                if (!TryTakeAddressSlot(tuple.RemoteAddress))
                {
                    OnSetupEnded(); // the slots first: when the client sees the reset, the counts are already right
                    await RefuseAsync(socket, transport, "too many connections from this address", "address_limit").ConfigureAwait(false);
                    return;
                }

                address = tuple.RemoteAddress;
            }

            try
            {
                _options.Socket.Apply(socket);
            }
            catch (Exception e) when (e is not (SocketException or ObjectDisposedException))
            {
                // The user's ConfigureSocket hook threw: this connection is refused, the server carries on.
                Log.ConfigureSocketFailed(_logger, tuple, e);
                OnSetupEnded(address); // the slots first: when the client sees the reset, the counts are already right
                await RefuseAsync(socket, transport, "ConfigureSocket threw", "configure_socket").ConfigureAwait(false);
                return;
            }

            if (!await AcceptFilter.AllowsAsync(_options.AcceptFilter, tuple, _logger, _lifetime.Stopping).ConfigureAwait(false))
            {
                OnSetupEnded(address); // the slots first: when the client sees the reset, the counts are already right
                await RefuseAsync(socket, transport, "refused by the accept filter", "accept_filter").ConfigureAwait(false);
                return;
            }

            transport ??= new SocketTransport(socket, _inputPipeOptions!, outputPipe);
            if (_sslOptions is not null)
            {
                var tls = new TlsTransport(transport, _inputPipeOptions!, ConnectionOptions.OutputPipeOptions);
                var handshake = tls.AuthenticateAsServerAsync(_sslOptions, _options.Tls!.HandshakeTimeout, _time, _lifetime.Stopping);
                Waiter.Release(ref _handshakeStarted); // its deadline is running now
                if (await handshake.ConfigureAwait(false) is { } failure)
                {
                    Interlocked.Increment(ref _handshakeFailures);
                    _metrics!.HandshakeFailed();
                    Waiter.Release(ref _handshakeFailed);
                    Log.HandshakeFailed(_logger, tuple, failure);
                    OnSetupEnded(address);
                    return;
                }

                transport = tls;
            }

            var connection = new Connection<TIn, TOut>(transport, tuple, _codec, _handlers.Create(tuple), _options.Connection, _ticker!,
                _connectionLogger, this, _lifetime.DrainExpired)
            {
                Owner = this,
                HandlerFactory = _handlers,
                Origin = origin,
            };
            _connections[connection.Id] = connection;
            Interlocked.Increment(ref _accepted);
            _metrics!.Opened();
            if (_lifetime.IsStopping)
            {
                connection.TryClose(CloseReason.ServerShutdown, null); // raced with StopAsync's sweep
            }

            StartRunning(connection);
        }
        catch (Exception e)
        {
            // The peer vanished before we could set it up, or setup failed in a way nobody could foresee: this connection
            // only is dropped and its slots given back (RunAsync reports its own failures, so it is not running).
            if (e is not (SocketException or ObjectDisposedException))
            {
                Log.SetupFailed(_logger, tuple, e);
                _metrics!.Rejected("setup_failed");
            }

            transport?.Abort();
            socket.Dispose();
            OnSetupEnded(address);
        }
    }

    /// <summary>Refuses a connection whose transport may already run (it read a PROXY header): reset, then wait for its loops.</summary>
    private async Task RefuseAsync(Socket socket, Transport? started, string why, string cause)
    {
        Reject(socket, why, cause);
        if (started is not null)
        {
            await DropAsync(started).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the connection with its activity (if a listener wants one) current, so the handler's work and logs fall under it.</summary>
    private void StartRunning(Connection<TIn, TOut> connection)
    {
        var activity = _metrics!.StartActivity(connection.Id, connection.Tuple);
        if (activity is null)
        {
            _ = connection.RunAsync();
            return;
        }

        var previous = System.Diagnostics.Activity.Current;
        System.Diagnostics.Activity.Current = activity;
        _ = connection.RunAsync(); // captures the activity in its execution context
        System.Diagnostics.Activity.Current = previous;
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

    /// <summary>Refuses an accepted socket with a reset; <paramref name="cause"/> is the metric's tag.</summary>
    private void Reject(Socket socket, string why, string cause)
    {
        Interlocked.Increment(ref _rejected);
        _metrics!.Rejected(cause);
        try
        {
            if (_logger.IsEnabled(LogLevel.Information))
            {
                Log.ConnectionRejected(_logger, SocketTuple.Of(socket), why);
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

using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Internal;

namespace SocketKit.Tcp;

/// <summary>
/// A client that keeps a connection to one endpoint: it owns a sequence of connections, one at a time, all served by
/// the same <see cref="ReconnectHandler{TIn, TOut}"/>, and reconnects with exponential backoff and jitter when one
/// ends (unless it was closed by <see cref="StopAsync"/>). Sends while disconnected wait for the next connection
/// within a bound, or fail fast (<see cref="ReconnectOptions.WhileDisconnected"/>); none is dropped silently.
/// </summary>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public sealed class ReconnectingClient<TIn, TOut> : IAsyncDisposable
{
    private readonly EndPoint _endPoint;
    private readonly Codec<TIn, TOut> _codec;
    private readonly ReconnectHandler<TIn, TOut> _handler;
    private readonly ReconnectOptions _options;
    private readonly TcpConnectorOptions _connector;
    private readonly TimeProvider _time;
    private readonly Random _jitter;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _connected; // completed when a connection is up; replaced when it drops
    private Connection<TIn, TOut>? _current;
    private Task _loop = Task.CompletedTask;
    private int _started;

    /// <summary>Creates a client; nothing connects until <see cref="StartAsync"/>.</summary>
    /// <param name="endPoint">Where to connect.</param>
    /// <param name="codec">How bytes become messages and back.</param>
    /// <param name="handler">Serves every connection in turn and hears of reconnections.</param>
    /// <param name="options">Backoff and send policy, or <see langword="null"/> for the defaults.</param>
    /// <param name="connector">Connection settings (timeouts, TLS, the <see cref="TimeProvider"/> that also drives the backoff), or <see langword="null"/>.</param>
    public ReconnectingClient(EndPoint endPoint, Codec<TIn, TOut> codec, ReconnectHandler<TIn, TOut> handler, ReconnectOptions? options = null, TcpConnectorOptions? connector = null)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(handler);
        _endPoint = endPoint;
        _codec = codec;
        _handler = handler;
        _options = options ?? new ReconnectOptions();
        _connector = connector ?? new TcpConnectorOptions();
        _time = _connector.TimeProvider ?? TimeProvider.System;
        _jitter = _options.JitterSeed is { } seed ? new Random(seed) : new Random();
    }

    /// <summary>The connection now up, or <see langword="null"/> while reconnecting.</summary>
    public Connection<TIn, TOut>? Current => Volatile.Read(ref _current);

    /// <summary>Completes when the client has given up (<see cref="ReconnectOptions.MaxAttempts"/>) or was stopped.</summary>
    public Task Completion => _loop;

    /// <summary>Starts connecting; completes when the first connection is up (retrying as configured meanwhile).</summary>
    /// <param name="cancellationToken">Stops waiting for the first connection (the client keeps trying).</param>
    /// <returns>A task that completes when the first connection is up.</returns>
    /// <exception cref="InvalidOperationException">The client gave up before connecting, or was already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _options.Validate();
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The client was already started.");
        }

        _loop = RunAsync();
        await _firstConnected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends on the current connection; while disconnected, follows <see cref="ReconnectOptions.WhileDisconnected"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels the send or the wait for a connection.</param>
    /// <returns>A task that completes when the message is accepted by a connection's send buffer.</returns>
    /// <exception cref="ConnectionClosedException">Disconnected under <see cref="DisconnectedSendPolicy.FailFast"/>, or the client stopped.</exception>
    /// <exception cref="TimeoutException">No connection came within <see cref="ReconnectOptions.SendWaitTimeout"/>.</exception>
    public async ValueTask SendAsync(TOut message, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_stopping.IsCancellationRequested)
            {
                throw new ConnectionClosedException(new CloseInfo(CloseReason.LocalClose));
            }

            if (Current is { } connection)
            {
                try
                {
                    await connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (ConnectionClosedException) when (_options.WhileDisconnected == DisconnectedSendPolicy.Wait)
                {
                    // It dropped just now: the message was not accepted; wait for the next connection.
                }
            }

            if (_options.WhileDisconnected == DisconnectedSendPolicy.FailFast)
            {
                throw new ConnectionClosedException(new CloseInfo(CloseReason.TransportError, new SocketException((int)SocketError.NotConnected)));
            }

            var connected = Waiter.GetOrCreate(ref _connected).Task;
            if (Current is null)
            {
                try
                {
                    await connected.WaitAsync(_options.SendWaitTimeout, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    throw new TimeoutException(FormattableString.Invariant($"No connection to {_endPoint} within {_options.SendWaitTimeout}; the message was not sent."));
                }
            }
        }
    }

    /// <summary>Stops reconnecting and closes the current connection (its buffered sends are flushed). Idempotent.</summary>
    /// <param name="cancellationToken">Stops waiting for the close.</param>
    /// <returns>A task that completes when the client has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Current?.Close();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the client.</summary>
    /// <returns>A task that completes when the client has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        var attempt = 0;
        var everConnected = false;
        Exception? lastError = null;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                Connection<TIn, TOut>? connection = null;
                try
                {
                    connection = await TcpConnector.ConnectAsync(_endPoint, _codec, _handler, _connector, stopping).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or TimeoutException or AuthenticationException or IOException)
                {
                    lastError = e;
                }

                if (connection is not null)
                {
                    attempt = 0;
                    Volatile.Write(ref _current, connection);
                    Waiter.GetOrCreate(ref _connected).TrySetResult();
                    if (everConnected)
                    {
                        await _handler.OnReconnectedAsync(connection, stopping).ConfigureAwait(false);
                    }

                    everConnected = true;
                    _firstConnected.TrySetResult();
                    var closed = await connection.Completion.ConfigureAwait(false);
                    Volatile.Write(ref _current, null);
                    Interlocked.Exchange(ref _connected, null); // later sends wait for the next connection
                    lastError = closed.Exception;
                }

                if (stopping.IsCancellationRequested)
                {
                    break;
                }

                attempt++;
                if (_options.MaxAttempts is { } max && attempt > max)
                {
                    _firstConnected.TrySetException(new InvalidOperationException($"Gave up connecting to {_endPoint} after {max} attempts.", lastError));
                    break;
                }

                var delay = WithJitter(_options.BaseDelay(attempt));
                var wait = Task.Delay(delay, _time, stopping); // counted from the notification, not from its end
                await _handler.OnReconnectingAsync(new ReconnectAttempt(attempt, delay, lastError), stopping).ConfigureAwait(false);
                await wait.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while connecting or waiting.
        }
        finally
        {
            Volatile.Write(ref _current, null);
            _firstConnected.TrySetException(new InvalidOperationException("The client stopped before it connected."));
            Waiter.GetOrCreate(ref _connected).TrySetResult(); // waiting sends wake and see the stop
        }
    }

    private TimeSpan WithJitter(TimeSpan delay)
    {
        var factor = 1 + (_options.Jitter * ((_jitter.NextDouble() * 2) - 1));
        return TimeSpan.FromTicks((long)(delay.Ticks * factor));
    }
}

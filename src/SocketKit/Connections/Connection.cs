using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SocketKit.Codecs;
using SocketKit.Internal;
using SocketKit.Transports;

namespace SocketKit.Connections;

/// <summary>
/// One connection: its five-tuple and id, its state machine, a message loop that delivers decoded
/// messages to a handler (push) or to <see cref="ReadAllAsync"/> (pull), and a send path.
/// </summary>
/// <remarks>
/// <para>
/// Closing is recorded, never raced: <see cref="Close"/>, <see cref="Abort"/>, the peer's FIN or RST, timeouts
/// and server stop only record the first close reason atomically and wake the message loop, which runs
/// <c>OnDisconnectedAsync</c> last. See docs/threading.md for the full threading and ordering contract.
/// </para>
/// </remarks>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public sealed partial class Connection<TIn, TOut> : IAsyncDisposable, ITransportObserver, ITickable
{
    private readonly Transport _transport;
    private readonly Codec<TIn, TOut> _codec;
    private readonly Framer _framer;
    private readonly bool _datagrams; // each read is one datagram (UDP sessions): no framer on receive, bad ones dropped
    private readonly ConnectionHandler<TIn, TOut>? _handler;
    private readonly ConnectionOptions _options;
    private readonly ConnectionTicker _ticker;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _ownerStopping;
    private readonly CancellationTokenSource _closingCts = new();
    private readonly TaskCompletionSource? _closeRecorded; // pull mode only: what the connection's task waits on
    private TaskCompletionSource? _opened;                   // created only if someone waits for it (the connector)
    private TaskCompletionSource<CloseInfo>? _completion;    // created when someone asks for it, or at close
    private CloseInfo? _closeInfo;
    private int _state;
    private ConcurrentDictionary<object, object?>? _items;

    internal Connection(
        Transport transport,
        FiveTuple tuple,
        Codec<TIn, TOut> codec,
        ConnectionHandler<TIn, TOut>? handler,
        ConnectionOptions options,
        ConnectionTicker ticker,
        ILogger logger,
        IConnectionGroup<TIn, TOut>? group,
        CancellationToken ownerStopping,
        long id = 0,
        long createdAt = 0)
    {
        Id = id != 0 ? id : ConnectionIds.Next(); // an upgrade keeps its predecessor's id and age
        Tuple = tuple;
        _transport = transport;
        _codec = codec;
        _framer = codec.Framing.Create();
        _datagrams = transport.IsDatagram;
        _handler = handler;
        _closeRecorded = handler is null ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        _options = options;
        _ticker = ticker;
        _time = ticker.TimeProvider;
        _logger = logger;
        Group = group;
        _ownerStopping = ownerStopping;
        var now = _time.GetTimestamp();
        CreatedAt = createdAt != 0 ? createdAt : now;
        _lastReceive = _lastSend = _lastReaderIdle = _lastWriterIdle = _lastAllIdle = now;
    }

    /// <summary>A number unique to this connection in this process (five-tuples recur; ids do not).</summary>
    public long Id { get; }

    /// <summary>The connection's five-tuple.</summary>
    public FiveTuple Tuple { get; }

    /// <summary>What the TLS handshake agreed on (version, ALPN protocol, the peer's certificate); <see langword="null"/> without TLS.</summary>
    public Tls.TlsConnectionInfo? Tls => _transport.Tls;

    /// <summary>Where the connection is in its life.</summary>
    public ConnectionState State => (ConnectionState)Volatile.Read(ref _state);

    /// <summary>Why the connection closed, once a reason is recorded; otherwise <see langword="null"/>.</summary>
    public CloseInfo? CloseInfo => Volatile.Read(ref _closeInfo);

    /// <summary>Cancelled when the connection starts closing.</summary>
    public CancellationToken Closing => _closingCts.Token;

    /// <summary>Completes with the close information once the connection is closed and <c>OnDisconnectedAsync</c> has run.</summary>
    public Task<CloseInfo> Completion => Waiter.GetOrCreate(ref _completion).Task;

    /// <summary>The server's connection group this connection belongs to, for broadcasting; <see langword="null"/> for a client connection.</summary>
    public IConnectionGroup<TIn, TOut>? Group { get; }

    /// <summary>Per-connection state for the application (a nickname, a session). Thread-safe.</summary>
    public IDictionary<object, object?> Items => LazyInitializer.EnsureInitialized(ref _items);

    /// <summary>Whether a close reason has been recorded.</summary>
    private bool IsClosing => Volatile.Read(ref _closeInfo) is not null;

    /// <summary>
    /// Starts closing with <paramref name="reason"/>: no new messages are dispatched, sends throw
    /// <see cref="ConnectionClosedException"/>, buffered output is flushed and a FIN sent. Idempotent; never blocks;
    /// the first reason recorded wins.
    /// </summary>
    /// <param name="reason">Why. Defaults to <see cref="CloseReason.LocalClose"/>.</param>
    public void Close(CloseReason reason = CloseReason.LocalClose) => TryClose(reason, null);

    /// <summary>Resets the connection now (RST): unsent data is dropped. Idempotent; never blocks.</summary>
    /// <param name="error">The reason to record, if any.</param>
    public void Abort(Exception? error = null)
    {
        TryClose(CloseReason.LocalAbort, error);
        _transport.Abort(); // also when a graceful close was recorded first: Abort means now
    }

    /// <summary>Closes the connection (<see cref="CloseReason.LocalClose"/>) and waits until it is closed.</summary>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        Close();
        await Completion.ConfigureAwait(false);
    }

    /// <summary>Formats as the id and five-tuple: <c>#12 tcp 127.0.0.1:5000 &lt;-&gt; 127.0.0.1:53122</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"#{Id} {Tuple}");

    /// <summary>Internal for tests: the transport under this connection.</summary>
    internal Transport Transport => _transport;

    /// <summary>What this connection received and sent so far; read from any thread (a metrics collection), written by its loops.</summary>
    internal TrafficCounts Traffic => new(Volatile.Read(ref _bytesIn), Volatile.Read(ref _messagesIn), Volatile.Read(ref _bytesOut), Volatile.Read(ref _messagesOut));

    /// <summary>When the connection was created, on its clock: the start of its duration.</summary>
    internal long CreatedAt { get; }

    /// <summary>The server that owns this connection, told when the socket closes and when the connection is finished.</summary>
    internal IConnectionOwner? Owner { get; init; }

    /// <summary>Made this connection's handler and releases it once the connection is finished; <see langword="null"/> when the handler was given.</summary>
    internal IConnectionHandlerFactory<TIn, TOut>? HandlerFactory { get; init; }


    /// <summary>Completes when <c>OnConnectedAsync</c> has returned (or at once in pull mode).</summary>
    internal Task Opened
    {
        get
        {
            var opened = Waiter.GetOrCreate(ref _opened);
            // Re-check after publishing: the connection may have opened (or closed) just before.
            return State != ConnectionState.Connecting ? Task.CompletedTask : opened.Task;
        }
    }

    /// <summary>Runs the connection until it is closed. Started once by the owner (server or connector).</summary>
    internal async Task RunAsync(bool upgraded = false)
    {
        _ticker.Register(Id, this);
        _transport.Start(this);
        if (!upgraded)
        {
            Log.ConnectionOpened(_logger, Id, Tuple);
        }

        var connectedCalled = false;
        var handedOver = false;
        try
        {
            if (_handler is not null)
            {
                connectedCalled = true;
                try
                {
                    await _handler.OnConnectedAsync(this, Closing).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    OnCallbackFailed(e);
                }

                Interlocked.CompareExchange(ref _state, (int)ConnectionState.Open, (int)ConnectionState.Connecting);
                Volatile.Read(ref _opened)?.TrySetResult();

                // The handler loop lives in this method, so an idle connection holds one state machine for it, not two.
                try
                {
                    while (await ReadNextAsync(CancellationToken.None).ConfigureAwait(false))
                    {
                        try
                        {
                            await DispatchAsync(_current).ConfigureAwait(false);
                        }
                        catch (Exception e)
                        {
                            OnCallbackFailed(e);
                            break;
                        }
                        finally
                        {
                            _current = default!;
                        }
                    }
                }
                catch (ProtocolException e)
                {
                    await HaveLastWordAsync(e).ConfigureAwait(false); // the input broke the protocol: the handler may answer it
                }
            }
            else
            {
                Interlocked.CompareExchange(ref _state, (int)ConnectionState.Open, (int)ConnectionState.Connecting);
                Volatile.Read(ref _opened)?.TrySetResult();
                await _closeRecorded!.Task.ConfigureAwait(false); // pull mode: the consumer drives ReadAllAsync
            }
        }
        catch (Exception e)
        {
            TryClose(CloseReason.TransportError, e);
        }
        finally
        {
            try
            {
                await EndBatchAsync().ConfigureAwait(false); // the last replies go out, and the batch's send lock is free, before the close or the upgrade
                handedOver = await TryHandOverAsync(connectedCalled).ConfigureAwait(false);
                if (!handedOver)
                {
                    await FinishAsync(connectedCalled).ConfigureAwait(false);
                }
            }
            finally
            {
                if (!handedOver)
                {
                    Owner?.OnFinished(this);
                }
            }
        }
    }

    private async Task FinishAsync(bool connectedCalled)
    {
        TryClose(CloseReason.LocalClose, null);
        Volatile.Read(ref _opened)?.TrySetResult();
        var info = _closeInfo!;
        Interlocked.Exchange(ref _upgrade, null)?.Abandon(info); // closed before it could switch protocols
        if (_handler is not null || Interlocked.Exchange(ref _readerClaimed, ReaderClosed) == ReaderUnclaimed)
        {
            ReleaseBuffer();
            await _transport.Input.CompleteAsync().ConfigureAwait(false);
        }

        if (!info.IsGraceful)
        {
            _transport.Abort(); // before the output completes, so the send loop cannot get a FIN out ahead of the reset
        }

        await CompleteOutputForCloseAsync().ConfigureAwait(false);
        try
        {
            // A server's stop has its own deadline (its drain timeout), at which it resets what is still open.
            var drainLimit = info.Reason == CloseReason.ServerShutdown && Owner is not null ? Timeout.InfiniteTimeSpan : _options.CloseTimeout;
            await _transport.ShutdownAsync(info.IsGraceful, drainLimit, _time).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A transport bug must not leave the connection unfinished: log it and finish the close.
            Log.TransportShutdownFailed(_logger, Id, Tuple, e);
        }
        _ticker.Unregister(Id);
        Owner?.OnTransportClosed(this);
        Log.ConnectionClosed(_logger, Id, Tuple, info);
        CancelQuietly(_closingCts); // usually already done by the queued cancel; the token must be cancelled by now
        if (connectedCalled)
        {
            await NotifyDisconnectedAsync(info).ConfigureAwait(false);
        }

        await ReleaseHandlerAsync().ConfigureAwait(false);
        Volatile.Write(ref _state, (int)ConnectionState.Closed);
        // _closingCts is not disposed: it owns no timer, and Closing must stay readable after close.
        Waiter.GetOrCreate(ref _completion).TrySetResult(info);
    }

    /// <summary>Records the first close reason and wakes everything that must notice it.</summary>
    internal bool TryClose(CloseReason reason, Exception? error)
    {
        var info = new CloseInfo(reason, error);
        if (Interlocked.CompareExchange(ref _closeInfo, info, null) is not null)
        {
            return false;
        }

        if (!info.IsGraceful)
        {
            // A reset is a reset now: the socket is aborted before anything else (a running handler, a flooding peer)
            // can delay it. Unsent data is dropped, as a reset promises.
            _transport.Abort();
        }

        Interlocked.CompareExchange(ref _state, (int)ConnectionState.Closing, (int)ConnectionState.Open);
        Interlocked.CompareExchange(ref _state, (int)ConnectionState.Closing, (int)ConnectionState.Connecting);
        // Token callbacks are user code: run them off this thread, which may be an I/O loop or the tick.
        ThreadPool.UnsafeQueueUserWorkItem(static cts => CancelQuietly(cts), _closingCts, preferLocal: false);
        Waiter.Release(ref _drained);
        Waiter.Release(ref _writable);
        _closeRecorded?.TrySetResult();
        Wake();
        return true;
    }

    void ITransportObserver.OnEnded(TransportEnding ending, Exception? error)
    {
        if (ForwardedToNextPhase(ending, error))
        {
            return;
        }

        switch (ending)
        {
            case TransportEnding.PeerReset:
                TryClose(CloseReason.PeerReset, error);
                break;
            case TransportEnding.Failed:
                TryClose(CloseReason.TransportError, error);
                break;
            default:
                // The peer's FIN: the message loop finds it at the end of the input, after every frame before it.
                Volatile.Write(ref _peerFinished, true);
                NoticeEndWhileUnread();
                break;
        }
    }
}

using SocketKit.Codecs;
using SocketKit.Internal;
using SocketKit.Transports;

namespace SocketKit.Connections;

// Switching protocols: the transport, its unread bytes and the connection's identity go to a new connection with
// another codec and other message types, at a frame boundary.
public sealed partial class Connection<TIn, TOut> : IConnectionPhase
{
    private IConnectionPhase? _upgrade; // the phase the transport goes to at the next frame boundary

    /// <summary>
    /// Switches this connection to another protocol (a WebSocket after an HTTP upgrade, TLS after STARTTLS-style
    /// negotiation): after the message being handled, the transport and every byte not yet decoded go to a new
    /// connection with <paramref name="codec"/> and <paramref name="handler"/>, which keeps this one's <see cref="Id"/>,
    /// <see cref="Tuple"/>, traffic counts and server slot.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Call it from <c>OnMessageAsync</c> (or, in pull mode, between enumerations of <see cref="ReadAllAsync"/>); what
    /// this connection sends before the callback returns (the "101 Switching Protocols") goes out before anything the new
    /// one sends. Then this connection finishes with <see cref="CloseReason.Upgraded"/>: its handler's
    /// <c>OnDisconnectedAsync</c> runs and its <see cref="Completion"/> completes, without touching the wire. Only then
    /// does the new connection start, with its handler's <c>OnConnectedAsync</c>: each protocol's handler sees its own
    /// connected/disconnected pair, and their callbacks never overlap. A server counts, limits and stops the connection
    /// as one throughout; the new connection is not in the server's <c>Connections</c>, whose type it no longer has.
    /// </para>
    /// <para>
    /// If this connection closes first (the peer resets, the server stops), there is no handover: the returned connection
    /// never starts and its <see cref="Completion"/> completes with the same close.
    /// </para>
    /// </remarks>
    /// <typeparam name="TNextIn">The type of messages received after the switch.</typeparam>
    /// <typeparam name="TNextOut">The type of messages sent after the switch.</typeparam>
    /// <param name="codec">How bytes become messages after the switch.</param>
    /// <param name="handler">The new connection's handler, or <see langword="null"/> for pull mode.</param>
    /// <param name="options">The new connection's settings, or <see langword="null"/> to keep this one's. Its input buffer stays the one this connection has.</param>
    /// <returns>The new connection; it starts once this one has finished.</returns>
    /// <exception cref="ArgumentException">A maximum frame of <paramref name="codec"/> would not fit this connection's input buffer.</exception>
    /// <exception cref="NotSupportedException">This is a UDP session.</exception>
    /// <exception cref="InvalidOperationException">An upgrade is already pending, or a pull-mode enumeration is running.</exception>
    /// <exception cref="ConnectionClosedException">The connection is closing or closed.</exception>
    public Connection<TNextIn, TNextOut> Upgrade<TNextIn, TNextOut>(Codec<TNextIn, TNextOut> codec, ConnectionHandler<TNextIn, TNextOut>? handler, ConnectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(codec);
        if (_datagrams)
        {
            throw new NotSupportedException("A UDP session cannot switch protocols: each datagram is decoded on its own.");
        }

        options ??= _options;
        options.Validate();
        var inputLimit = _options.ReceiveBufferLimit(_codec.Framing.MaxFrameLength, _codec.Framing.MaxOverheadLength);
        if (options.MinimumReceiveBuffer(codec.Framing.MaxFrameLength, codec.Framing.MaxOverheadLength) > inputLimit)
        {
            throw new ArgumentException(FormattableString.Invariant(
                $"The new codec's maximum frame ({codec.Framing.MaxFrameLength} bytes plus {codec.Framing.MaxOverheadLength} of framing) does not fit this connection's input buffer ({inputLimit} bytes, sized for its first codec); raise {nameof(ConnectionOptions.MaxReceiveBufferSize)} where the connection is created."),
                nameof(codec));
        }

        ThrowIfClosing();
        var next = new Connection<TNextIn, TNextOut>(_transport, Tuple, codec, handler, options, _ticker, _logger, group: null, _ownerStopping, Id, CreatedAt)
        {
            Owner = Owner,
            Origin = Origin,
        };
        if (Interlocked.CompareExchange(ref _upgrade, next, null) is not null)
        {
            throw new InvalidOperationException("The connection is already switching protocols.");
        }

        if (_handler is null && ClaimReader() != ReaderUnclaimed)
        {
            Volatile.Write(ref _upgrade, null);
            throw new InvalidOperationException("A pull-mode connection switches protocols between enumerations of ReadAllAsync, not during one.");
        }

        if (CloseInfo is { Reason: not CloseReason.Upgraded })
        {
            Interlocked.CompareExchange(ref _upgrade, null, next); // unless the finish already took (and abandoned) it
            ThrowClosed();
        }

        // Handler mode: the loop notices at its next frame boundary (after the running callback); wake it in case it waits
        // for input. Pull mode: the connection's task waits for this, as for a close.
        if (_handler is null)
        {
            _closeRecorded!.TrySetResult();
        }
        else
        {
            Wake();
        }

        return next;
    }

    /// <summary>Whether the message loop must stop decoding because the transport goes to another protocol.</summary>
    private bool UpgradePending => Volatile.Read(ref _upgrade) is not null;

    /// <summary>
    /// Hands the transport to the pending upgrade, if there is one and the connection is still open, and finishes this
    /// phase. Returns whether it did; if not, the caller finishes the connection as a close.
    /// </summary>
    private async ValueTask<bool> TryHandOverAsync(bool connectedCalled)
    {
        if (Volatile.Read(ref _upgrade) is not { } next)
        {
            return false;
        }

        // Everything this phase accepted goes out before the next protocol's first byte, and the transport's send
        // reports stay with the phase that wrote the bytes: wait until the OS has it all (the write timeout applies).
        await SendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await WaitForDrainAsync().ConfigureAwait(false);
            if (!TryClose(CloseReason.Upgraded, null))
            {
                if (_handler is null)
                {
                    Volatile.Write(ref _readerClaimed, ReaderUnclaimed); // the close finishes the input as usual
                }

                return false;
            }
        }
        finally
        {
            SendLock.Release();
        }

        if (_hasBuffer)
        {
            // The bytes after the last frame stay in the pipe unexamined, so the next phase's first read returns them at once.
            _hasBuffer = false;
            _transport.Input.AdvanceTo(_buffer.Start);
            _buffer = default;
        }

        Volatile.Write(ref _readerClaimed, ReaderClosed);
        next.TakeOver(new PhaseState(Traffic, Volatile.Read(ref _peerFinished), Volatile.Read(ref _lastReceive), Volatile.Read(ref _lastSend)));
        Owner?.OnUpgraded(this, next);
        _transport.Start(next); // transport events go to the new phase from now on (this one forwards any that raced)
        var info = _closeInfo!;
        Log.ConnectionUpgraded(_logger, Id, Tuple, next.GetType().Name);
        try
        {
            CancelQuietly(_closingCts);
            if (connectedCalled)
            {
                await NotifyDisconnectedAsync(info).ConfigureAwait(false);
            }

            await ReleaseHandlerAsync().ConfigureAwait(false);
            Volatile.Write(ref _state, (int)ConnectionState.Closed);
            Waiter.GetOrCreate(ref _completion).TrySetResult(info);
        }
        finally
        {
            next.Run();
        }

        return true;
    }

    /// <summary>Waits until every byte accepted so far is with the OS, or the connection closes; a peer that never reads meets the write timeout.</summary>
    private async ValueTask WaitForDrainAsync()
    {
        try
        {
            while (Volatile.Read(ref _pendingSendBytes) > 0 && !IsClosing)
            {
                var waiter = Waiter.GetOrCreate(ref _drained);
                if (Volatile.Read(ref _pendingSendBytes) > 0 && !IsClosing)
                {
                    Volatile.Write(ref _waitingForRoomSince, _time.GetTimestamp());
                    await waiter.Task.ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _waitingForRoomSince, 0);
        }
    }

    void IConnectionPhase.TakeOver(in PhaseState state)
    {
        (_bytesIn, _messagesIn, _bytesOut, _messagesOut) = (state.Traffic.BytesIn, state.Traffic.MessagesIn, state.Traffic.BytesOut, state.Traffic.MessagesOut);
        _lastReceive = state.LastReceive;
        _lastSend = state.LastSend;
        if (state.PeerFinished)
        {
            Volatile.Write(ref _peerFinished, true);
        }
    }

    void IConnectionPhase.Run() => _ = RunAsync(upgraded: true);

    void IConnectionPhase.Abandon(CloseInfo info)
    {
        Interlocked.CompareExchange(ref _closeInfo, info, null);
        CancelQuietly(_closingCts);
        Volatile.Write(ref _state, (int)ConnectionState.Closed);
        Volatile.Read(ref _opened)?.TrySetResult();
        _closeRecorded?.TrySetResult();
        Waiter.GetOrCreate(ref _completion).TrySetResult(_closeInfo!);
    }

    long IOwnedConnection.CreatedAt => CreatedAt;

    TrafficCounts IOwnedConnection.Traffic => Traffic;

    bool IOwnedConnection.TryClose(CloseReason reason, Exception? error) => TryClose(reason, error);

    /// <summary>A transport event that reached this phase after it handed over belongs to the next one.</summary>
    private bool ForwardedToNextPhase(TransportEnding ending, Exception? error)
    {
        if (Volatile.Read(ref _closeInfo) is { Reason: CloseReason.Upgraded } && Volatile.Read(ref _upgrade) is { } next)
        {
            next.OnEnded(ending, error);
            return true;
        }

        return false;
    }
}

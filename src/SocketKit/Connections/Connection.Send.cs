using System.Runtime.CompilerServices;
using SocketKit.Internal;
using SocketKit.Transports;

namespace SocketKit.Connections;

// The send path: serialised sends into the bounded output pipe, send-buffer policy and writability.
public sealed partial class Connection<TIn, TOut>
{
    private SemaphoreSlim? _sendLock;           // created at the first send: an idle connection holds none
    private PooledBufferWriter? _encodeBuffer;  // used only under the send lock
    private long _pendingSendBytes;
    private long _bytesOut;    // written under the send lock; read by metrics collection
    private long _messagesOut;
    private int _notWritable;
    private bool _outputCompleted;
    private TaskCompletionSource? _drained;
    private TaskCompletionSource? _writable;

    private SemaphoreSlim SendLock => LazyInitializer.EnsureInitialized(ref _sendLock, static () => new SemaphoreSlim(1, 1));

    /// <summary>Whether the send buffer is below its high watermark (it becomes writable again below the low one).</summary>
    public bool IsWritable => Volatile.Read(ref _notWritable) == 0;

    /// <summary>
    /// Encodes <paramref name="message"/> and puts the whole frame into the send buffer. Safe from any thread;
    /// messages are never interleaved or written in part. Completes when the message is accepted into the
    /// bounded send buffer (not when the peer has it); a full buffer follows <see cref="ConnectionOptions.FullSendBufferPolicy"/>.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels waiting for the send lock or for buffer space; a cancelled send wrote nothing.</param>
    /// <returns>A task that completes when the message is accepted.</returns>
    /// <exception cref="ConnectionClosedException">The connection is closing or closed.</exception>
    /// <exception cref="SendBufferFullException">The buffer is full and the policy is <see cref="FullSendBufferPolicy.FailFast"/>.</exception>
    public ValueTask SendAsync(TOut message, CancellationToken cancellationToken = default) =>
        TryWriteToBatch(message, out var failure) ? failure : SendCoreAsync(message, default, encoded: false, cancellationToken);

    /// <summary>
    /// Sends a message already encoded by this connection's encoder (a broadcast encodes once for everyone), with the
    /// same ordering, send-buffer policy and exceptions as <see cref="SendAsync"/>. <paramref name="payload"/> must stay
    /// valid until the returned task completes.
    /// </summary>
    internal ValueTask SendEncodedAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) => SendCoreAsync(default!, payload, encoded: true, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // a send that waits must not allocate
    private async ValueTask SendCoreAsync(TOut message, ReadOnlyMemory<byte> payload, bool encoded, CancellationToken cancellationToken)
    {
        ThrowIfClosing();
        await EndOwnBatchAsync().ConfigureAwait(false); // a send of the batch that cannot take the fast path: the lock is taken afresh
        await SendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        var keptForBatch = false;
        try
        {
            ThrowIfClosing();
            ThrowIfOutputCompleted();
            await WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            var batched = InOwnDispatch; // checked after the awaits: only a send still on the loop's own call defers
            var written = Write(message, payload, encoded, batched);
            if (batched)
            {
                Account(written);
                _batchPending = keptForBatch = true; // the batch keeps the lock: its next sends take the fast path
            }
            else
            {
                await CommitAsync(written).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!keptForBatch)
            {
                SendLock.Release();
            }
        }
    }

    /// <summary>Encodes and frames one message into the output pipe (under the send lock); returns the bytes written.</summary>
    private long Write(TOut message, ReadOnlyMemory<byte> payload, bool encoded, bool batched)
    {
        var before = _transport.Output.UnflushedBytes;
        if (encoded)
        {
            _framer.Encode(payload.Span, _transport.Output);
        }
        else if (_codec.PassThroughEncoder is { } passThrough && passThrough.TryGetEncoded(message, out var span))
        {
            _framer.Encode(span, _transport.Output);
        }
        else
        {
            try
            {
                _encodeBuffer ??= new PooledBufferWriter();
                _codec.Encoder.Encode(message, _encodeBuffer);
                _framer.Encode(_encodeBuffer.WrittenSpan, _transport.Output);
            }
            finally
            {
                // Kept for the rest of the batch (given back at its end); otherwise given back now, so an idle connection holds none.
                _encodeBuffer!.Reset(keepArray: batched);
            }
        }

        _messagesOut++;
        return _transport.Output.UnflushedBytes - before;
    }

    /// <summary>Completes when every byte accepted so far has been handed to the OS.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the send buffer is empty.</returns>
    /// <exception cref="ConnectionClosedException">The connection closed before the buffer drained.</exception>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        // Replies of a batch being dispatched wait in the pipe: hand them on first. Called from elsewhere, the drain
        // waits for the loop's batch to end (its bytes are counted as pending until it flushes them).
        await EndOwnBatchAsync().ConfigureAwait(false);
        await DrainAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the send buffer is empty (what is in the pipe must have been flushed).</summary>
    private async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _pendingSendBytes) > 0)
        {
            ThrowIfClosing();
            var waiter = Waiter.GetOrCreate(ref _drained);
            if (Volatile.Read(ref _pendingSendBytes) > 0)
            {
                await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Finishes this side's output: everything buffered is sent, then a FIN. The connection keeps reading
    /// (half-close); it closes once the peer has finished too. Further sends throw.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for a send in progress.</param>
    /// <returns>A task that completes when the output is completed (the FIN follows the buffered bytes).</returns>
    public async ValueTask CompleteOutputAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfClosing();
        await EndOwnBatchAsync().ConfigureAwait(false);
        await SendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _outputCompleted))
            {
                return;
            }

            Volatile.Write(ref _outputCompleted, true);
            await _transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            SendLock.Release();
        }

        if (_inputEnded)
        {
            TryClose(CloseReason.PeerClose, null); // the peer had already finished: both directions are done
        }
    }

    /// <summary>
    /// Applies the full-buffer policy before anything is written, so a send is either wholly accepted or
    /// writes nothing. The buffer is bounded by the high watermark plus one message.
    /// </summary>
    private ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        var pending = Volatile.Read(ref _pendingSendBytes);
        return pending < _options.SendBufferHighWatermark ? ValueTask.CompletedTask : WaitForRoomSlowAsync(pending, cancellationToken);
    }

    private async ValueTask WaitForRoomSlowAsync(long pending, CancellationToken cancellationToken)
    {
        switch (_options.FullSendBufferPolicy)
        {
            case FullSendBufferPolicy.FailFast:
                throw new SendBufferFullException(pending);
            case FullSendBufferPolicy.Disconnect:
                TryClose(CloseReason.SlowConsumer, new SendBufferFullException(pending));
                ThrowClosed();
                break;
        }

        // Wait: until the buffer drains below the low watermark (a batch's writes were flushed when it ended, before the
        // send lock was taken). The tick closes the connection if this takes longer than the write timeout.
        Volatile.Write(ref _waitingForRoomSince, _time.GetTimestamp());
        try
        {
            while (!IsWritable)
            {
                var waiter = Waiter.GetOrCreate(ref _writable);
                if (!IsWritable && !IsClosing)
                {
                    await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                ThrowIfClosing();
            }
        }
        finally
        {
            Volatile.Write(ref _waitingForRoomSince, 0);
        }
    }

    /// <summary>Makes what was written into the pipe visible to the send loop. Never waits: room was checked before writing.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CommitAsync(long written)
    {
        Account(written);
        var result = await _transport.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        if (result.IsCompleted)
        {
            // The send loop is gone (reset or socket error): these bytes will not be sent.
            ThrowClosed();
        }
    }

    /// <summary>Counts bytes written into the send buffer: traffic, and the buffer's level (writability, the full-buffer policy).</summary>
    private void Account(long written)
    {
        _bytesOut += written;
        AddPending(written);
    }

    private async Task CompleteOutputForCloseAsync()
    {
        await SendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_outputCompleted)
            {
                _outputCompleted = true;
                await _transport.Output.CompleteAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            SendLock.Release();
        }
    }

    void ITransportObserver.OnSent(long bytes)
    {
        _lastSend = _time.GetTimestamp();
        AddPending(-bytes);
    }

    private void AddPending(long delta)
    {
        if (delta == 0)
        {
            return;
        }

        var after = Interlocked.Add(ref _pendingSendBytes, delta);
        var before = after - delta;
        if (delta > 0 && before < _options.SendBufferHighWatermark && after >= _options.SendBufferHighWatermark)
        {
            SetWritable(false);
        }
        else if (delta < 0)
        {
            if (before > _options.SendBufferLowWatermark && after <= _options.SendBufferLowWatermark)
            {
                SetWritable(true);
            }

            if (after == 0)
            {
                Waiter.Release(ref _drained);
            }
        }
    }

    private void SetWritable(bool writable)
    {
        var flag = writable ? 0 : 1;
        if (Interlocked.Exchange(ref _notWritable, flag) != flag)
        {
            if (writable)
            {
                Waiter.Release(ref _writable);
            }

            Post(Signal.WritabilityChanged);
        }
    }

    private void ThrowIfClosing()
    {
        if (Volatile.Read(ref _closeInfo) is not null)
        {
            ThrowClosed();
        }
    }

    private void ThrowIfOutputCompleted()
    {
        if (Volatile.Read(ref _outputCompleted))
        {
            throw new InvalidOperationException("The output was completed with CompleteOutputAsync; nothing more can be sent.");
        }
    }

    private void ThrowClosed() =>
        throw new ConnectionClosedException(CloseInfo ?? new CloseInfo(CloseReason.TransportError));
}

using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using SocketKit.Codecs;
using SocketKit.Internal;

namespace SocketKit.Connections;

// The message loop: the canonical PipeReader loop, shared by handler (push) and pull mode.
public sealed partial class Connection<TIn, TOut>
{
    private ReadOnlySequence<byte> _buffer;
    private long _bytesIn;    // written by the message loop only; read by metrics collection
    private long _messagesIn;
    private bool _hasBuffer;
    private bool _inputCompleted;
    private bool _inputEnded;
    private bool _partialFrame;  // the last read ended inside a frame
    private bool _peerFinished;  // the transport reported the peer's FIN
    private bool _datagramReady; // datagram transports: the buffer is a datagram not yet decoded
    private TIn _current = default!;
    private TaskCompletionSource? _wakeWaiter;

    /// <summary>
    /// Decodes the next message into <see cref="_current"/>. The previous message's bytes stay valid until this
    /// is called again: the buffer is advanced only when the framer needs more data.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // suspends once per read: no allocation per batch
    private async ValueTask<bool> ReadNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested(); // pull mode: what is buffered stays for the next enumeration
            if (UpgradePending)
            {
                return false; // what is buffered belongs to the next protocol
            }

            if (_hasBuffer)
            {
                if (IsClosing)
                {
                    ReleaseBuffer(); // dispatch no new messages once closing
                    return false;
                }

                if (TryDecode(out var decoded))
                {
                    if (decoded)
                    {
                        return true;
                    }

                    continue; // skipped, or a datagram that did not decode
                }

                if (!_hasBuffer)
                {
                    return false; // the input failed (and was released)
                }

                var leftover = _buffer.Length;
                var completed = _inputCompleted;
                ReleaseBuffer();
                if (leftover == 0)
                {
                    OnFrameBoundary();
                }

                if (completed)
                {
                    return await OnInputEndedAsync(leftover).ConfigureAwait(false);
                }

                _partialFrame = leftover > 0;
            }

            if (_handler is not null)
            {
                await EndBatchAsync().ConfigureAwait(false);
                await ProcessSignalsAsync().ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (IsClosing)
            {
                return false;
            }

            // No token: Close and the tick wake this read with CancelPendingRead. A cancelled read may carry
            // data too, so it is handled like any other. Waiting for the rest of a frame is the peer's time.
            var waitsForFrame = _partialFrame;
            if (waitsForFrame)
            {
                BeginFrameWait();
            }

            ReadResult result;
            try
            {
                result = await _transport.Input.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                if (waitsForFrame)
                {
                    EndFrameWait();
                }
            }

            _buffer = result.Buffer;
            _hasBuffer = true;
            _inputCompleted = result.IsCompleted;
            _datagramReady = _datagrams && !result.IsCanceled && !result.IsCompleted;
        }
    }

    /// <summary>
    /// One step of the framer over the buffer. True: a frame was used (<paramref name="decoded"/> says whether
    /// <see cref="_current"/> holds a message). False: the framer needs more data, or the input failed (closing).
    /// </summary>
    private bool TryDecode(out bool decoded)
    {
        decoded = false;
        if (_datagrams)
        {
            return TryDecodeDatagram(ref decoded);
        }

        var before = _buffer.Length;
        FrameStatus status;
        ReadOnlySequence<byte> frame;
        try
        {
            status = _framer.Decode(ref _buffer, out frame);
        }
        catch (Exception e)
        {
            FailInput(e); // too long, malformed, or a framer that threw on this input: this connection's input is unusable
            return false;
        }

        if (status == FrameStatus.NeedMoreData)
        {
            return false;
        }

        if (_buffer.Length == before)
        {
            FailInput(new InvalidOperationException(FormattableString.Invariant(
                $"{_framer.GetType().Name}.Decode returned {status} without consuming a byte; it would loop forever.")));
            return false;
        }

        _bytesIn += before - _buffer.Length;
        OnFrameBoundary();
        if (status == FrameStatus.Skipped)
        {
            ReportNonFatal(_framer.SkippedFrame ?? new FrameTooLongException(-1, _framer.MaxFrameLength));
            return true;
        }

        try
        {
            _current = _codec.FramerAwareDecoder is { } aware ? aware.Decode(_framer, frame) : _codec.Decoder.Decode(frame);
            decoded = true;
            _messagesIn++;
        }
        catch (Exception e)
        {
            FailInput(e);
        }

        return true;
    }

    /// <summary>A datagram transport: the read is one whole datagram, decoded with no framer; one that does not decode is dropped.</summary>
    private bool TryDecodeDatagram(ref bool decoded)
    {
        if (!_datagramReady)
        {
            return false; // a cancelled or final read carries no datagram
        }

        _datagramReady = false;
        var datagram = _buffer;
        _buffer = _buffer.Slice(_buffer.End); // consumed whole when the loop next advances
        _bytesIn += datagram.Length;
        try
        {
            _current = _codec.Decoder.Decode(datagram);
            decoded = true;
            _messagesIn++;
        }
        catch (Exception e)
        {
            ReportNonFatal(AsProtocolError(e)); // one bad datagram: dropped, the session carries on
        }

        return true;
    }

    /// <summary>
    /// The input cannot be framed or decoded: a protocol error of this connection (whatever the codec threw). With a
    /// handler, it is rethrown to the handler loop, which lets the handler answer before the close.
    /// </summary>
    private void FailInput(Exception error)
    {
        ReleaseBuffer();
        var protocolError = AsProtocolError(error);
        if (_handler is not null && !IsClosing)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(protocolError);
        }

        Log.ProtocolError(_logger, Id, Tuple, protocolError);
        TryClose(CloseReason.ProtocolError, protocolError);
    }

    private static ProtocolException AsProtocolError(Exception error) =>
        error as ProtocolException ?? new MalformedFrameException($"The codec failed on this input: {error.Message}", error);

    /// <summary>The peer finished sending and every complete frame was delivered.</summary>
    private async ValueTask<bool> OnInputEndedAsync(long leftover)
    {
        if (leftover > 0)
        {
            _inputEnded = true;
            TryClose(CloseReason.PeerClose, new MalformedFrameException(
                FormattableString.Invariant($"The peer finished sending in the middle of a frame; {leftover} bytes were dropped.")));
            return false;
        }

        if (EndInput())
        {
            return false;
        }

        if (_handler is null)
        {
            return false; // pull mode: the enumeration ends, the connection stays open for sending
        }

        try
        {
            await EndBatchAsync().ConfigureAwait(false); // the handler may answer outside a dispatch: the batch's lock must be free
            await _handler.OnInputCompletedAsync(this, Closing).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            OnCallbackFailed(e);
            return false;
        }

        // Half-closed: nothing more will arrive. Keep serving the tick's signals until the application closes.
        while (!IsClosing)
        {
            await ProcessSignalsAsync().ConfigureAwait(false);
            await WaitForWakeAsync().ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>
    /// Records that nothing more will arrive. Without half-close the peer's FIN ends the connection; with it, the
    /// connection ends once our output is done too. Returns whether the connection is now closing.
    /// </summary>
    private bool EndInput()
    {
        _inputEnded = true;
        if (_options.AllowHalfClose && !Volatile.Read(ref _outputCompleted))
        {
            return false;
        }

        TryClose(Volatile.Read(ref _outputCompleted) ? CloseReason.LocalClose : CloseReason.PeerClose, null);
        return true;
    }

    private void ReportNonFatal(Exception error)
    {
        Log.NonFatalError(_logger, Id, Tuple, error);
        Owner?.OnProtocolError();
        if (_handler is null)
        {
            return;
        }

        try
        {
            _handler.OnError(this, error);
        }
        catch (Exception e)
        {
            OnCallbackFailed(e);
        }
    }

    private void ReleaseBuffer()
    {
        if (_hasBuffer)
        {
            _hasBuffer = false;
            _transport.Input.AdvanceTo(_buffer.Start, _buffer.End);
            _buffer = default;
        }
    }

    /// <summary>
    /// Wakes the message loop: cancels its pending read, or ends its wait when half-closed. Queued, because with inline
    /// pipe scheduling a cancelled read would otherwise run this connection's loop, and its handler, on the caller's
    /// thread: the tick, or another connection. (Wakes are rare: a close, an idle period, a writability change.)
    /// </summary>
    private void Wake() => ThreadPool.UnsafeQueueUserWorkItem(static connection => connection.OnWake(), this, preferLocal: false);

    private void OnWake()
    {
        _transport.Input.CancelPendingRead();
        Waiter.Release(ref _wakeWaiter);
    }

    private Task WaitForWakeAsync()
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _wakeWaiter, waiter);
        // Re-check after publishing the waiter, so a wake in between is not lost.
        return IsClosing || Volatile.Read(ref _signals) != 0 ? Task.CompletedTask : waiter.Task;
    }
}

using System.Buffers;
using System.Runtime.CompilerServices;
using SocketKit.Codecs;
using SocketKit.Internal;

namespace SocketKit.Connections;

/// <summary>The message loop: the canonical PipeReader loop, shared by handler (push) and pull mode.</summary>
public sealed partial class Connection<TIn, TOut>
{
    private const int ReaderUnclaimed = 0;
    private const int ReaderClaimed = 1;
    private const int ReaderClosed = 2;

    private ReadOnlySequence<byte> _buffer;
    private bool _hasBuffer;
    private bool _inputCompleted;
    private bool _inputEnded;
    private TIn _current = default!;
    private int _readerClaimed;
    private TaskCompletionSource? _wakeWaiter;

    /// <summary>
    /// Pull mode: the received messages, in order, for a connection created without a handler. Ends when the
    /// peer finishes sending or the connection closes. A message that refers to the input buffer is valid until
    /// the next <c>MoveNextAsync</c>. Can be enumerated once.
    /// </summary>
    /// <param name="cancellationToken">Stops the enumeration (the connection stays open).</param>
    /// <returns>The messages.</returns>
    /// <exception cref="InvalidOperationException">The connection has a handler, or is already being read.</exception>
    public async IAsyncEnumerable<TIn> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_handler is not null)
        {
            throw new InvalidOperationException("This connection delivers its messages to its handler; ReadAllAsync is for connections created without one.");
        }

        var claim = Interlocked.CompareExchange(ref _readerClaimed, ReaderClaimed, ReaderUnclaimed);
        if (claim == ReaderClaimed)
        {
            throw new InvalidOperationException("ReadAllAsync can be enumerated only once per connection.");
        }

        if (claim == ReaderClosed)
        {
            yield break;
        }

        using var registration = cancellationToken.UnsafeRegister(static state => ((Connection<TIn, TOut>)state!).Wake(), this);
        try
        {
            while (await ReadNextAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return _current;
            }
        }
        finally
        {
            ReleaseBuffer();
            await _transport.Input.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Decodes the next message into <see cref="_current"/>. The previous message's bytes stay valid until this
    /// is called again: the buffer is advanced only when the framer needs more data.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // suspends once per read: no allocation per batch
    private async ValueTask<bool> ReadNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_hasBuffer)
            {
                if (IsClosing)
                {
                    ReleaseBuffer(); // dispatch no new messages once closing
                    return false;
                }

                var status = FrameStatus.NeedMoreData;
                try
                {
                    status = _framer.Decode(ref _buffer, out var frame);
                    if (status == FrameStatus.Frame)
                    {
                        _current = _codec.Decoder.Decode(frame);
                        return true;
                    }
                }
                catch (ProtocolException e) when (DecodeErrorsAreNonFatal && status == FrameStatus.Frame)
                {
                    ReportNonFatal(e); // one bad datagram: dropped, the session carries on
                    continue;
                }
                catch (ProtocolException e)
                {
                    ReleaseBuffer();
                    Log.ProtocolError(_logger, Id, Tuple, e);
                    TryClose(CloseReason.ProtocolError, e);
                    return false;
                }

                if (status == FrameStatus.Skipped)
                {
                    ReportNonFatal(_framer.SkippedFrame ?? new FrameTooLongException(-1, _framer.MaxFrameLength));
                    continue;
                }

                var leftover = _buffer.Length;
                var completed = _inputCompleted;
                ReleaseBuffer();
                TrackPartialFrame(leftover);
                if (completed)
                {
                    return await OnInputEndedAsync(leftover).ConfigureAwait(false);
                }
            }

            if (_handler is not null)
            {
                await ProcessSignalsAsync().ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (IsClosing)
            {
                return false;
            }

            // No token: Close and the tick wake this read with CancelPendingRead. A cancelled read may carry
            // data too, so it is handled like any other.
            var result = await _transport.Input.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            _buffer = result.Buffer;
            _hasBuffer = true;
            _inputCompleted = result.IsCompleted;
        }
    }

    /// <summary>The peer finished sending and every complete frame was delivered.</summary>
    private async ValueTask<bool> OnInputEndedAsync(long leftover)
    {
        _inputEnded = true;
        if (leftover > 0)
        {
            TryClose(CloseReason.PeerClose, new MalformedFrameException(
                FormattableString.Invariant($"The peer finished sending in the middle of a frame; {leftover} bytes were dropped.")));
            return false;
        }

        if (!_options.AllowHalfClose || Volatile.Read(ref _outputCompleted))
        {
            // Without half-close the peer's FIN ends the connection; with it, both directions are now done.
            TryClose(Volatile.Read(ref _outputCompleted) ? CloseReason.LocalClose : CloseReason.PeerClose, null);
            return false;
        }

        if (_handler is null)
        {
            return false; // pull mode: the enumeration ends, the connection stays open for sending
        }

        try
        {
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

    private void ReportNonFatal(Exception error)
    {
        Log.NonFatalError(_logger, Id, Tuple, error);
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
    /// Wakes the message loop: cancels its pending read, or ends its wait when half-closed. Queued (without
    /// allocating: the connection is the work item), because with inline pipe scheduling a cancelled read would
    /// otherwise run this connection's loop, and its handler, on the caller's thread: the tick, or another connection.
    /// </summary>
    private void Wake() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void IThreadPoolWorkItem.Execute()
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

using SocketKit.Internal;
using SocketKit.Transports;

namespace SocketKit.Connections;

// Deadlines checked by the shared tick, and the signals it posts to the message loop, where the
// handler hears of them between messages (callbacks never overlap).
public sealed partial class Connection<TIn, TOut>
{
    private long _lastReceive;
    private long _lastSend;
    private long _lastReaderIdle;
    private long _lastWriterIdle;
    private long _lastAllIdle;
    private long _waitingForRoomSince;
    private long _frameWaitStart; // the loop waits for the rest of a frame since (earlier waits for it included); 0: not waiting
    private long _frameWaited;    // message loop only: how long the loop has already waited for the frame now incomplete
    private TaskCompletionSource? _partialFrameChanged; // tests only; null unless one waits
    private int _signals;

    [Flags]
    private enum Signal
    {
        ReaderIdle = 1,
        WriterIdle = 2,
        AllIdle = 4,
        WritabilityChanged = 8,
    }

    void ITransportObserver.OnReceived(int bytes) => _lastReceive = _time.GetTimestamp();

    void ITickable.OnTick(long timestamp)
    {
        if (IsClosing)
        {
            return;
        }

        var lastReceive = Volatile.Read(ref _lastReceive);
        var lastSend = Volatile.Read(ref _lastSend);
        var lastActivity = Math.Max(lastReceive, lastSend);
        if (IsDue(_options.IdleTimeout, lastActivity, timestamp))
        {
            TryClose(CloseReason.IdleTimeout, new TimeoutException(FormattableString.Invariant($"Nothing received or sent for {_options.IdleTimeout}.")));
            return;
        }

        // A peer that does not read is named before one that stalls a frame: while a send waits, the loop may not be reading.
        var waitingSince = Volatile.Read(ref _waitingForRoomSince);
        if (waitingSince != 0 && IsDue(_options.WriteTimeout, waitingSince, timestamp))
        {
            TryClose(CloseReason.WriteTimeout, new TimeoutException(FormattableString.Invariant($"A send waited for buffer space for more than {_options.WriteTimeout}.")));
            return;
        }

        var frameWaitStart = Volatile.Read(ref _frameWaitStart);
        if (frameWaitStart != 0 && IsDue(_options.FrameTimeout, frameWaitStart, timestamp))
        {
            TryClose(CloseReason.ReceiveTimeout, new TimeoutException(FormattableString.Invariant($"A frame took longer than {_options.FrameTimeout} to arrive.")));
            return;
        }

        if (_handler is null)
        {
            return;
        }

        var due = default(Signal);
        if (IsDue(_options.ReaderIdleTime, Math.Max(lastReceive, _lastReaderIdle), timestamp))
        {
            _lastReaderIdle = timestamp;
            due |= Signal.ReaderIdle;
        }

        if (IsDue(_options.WriterIdleTime, Math.Max(lastSend, _lastWriterIdle), timestamp))
        {
            _lastWriterIdle = timestamp;
            due |= Signal.WriterIdle;
        }

        if (IsDue(_options.AllIdleTime, Math.Max(lastActivity, _lastAllIdle), timestamp))
        {
            _lastAllIdle = timestamp;
            due |= Signal.AllIdle;
        }

        if (due != 0)
        {
            Post(due);
        }
    }

    /// <summary>Internal for tests: when the loop began waiting for the frame now incomplete, less earlier waits for it (0: not waiting).</summary>
    internal long PartialFrameSince => Volatile.Read(ref _frameWaitStart);

    /// <summary>Internal for tests: completes the next time the loop starts waiting for a partial frame, or one completes (take it before causing that).</summary>
    internal Task PartialFrameChanged => Waiter.GetOrCreate(ref _partialFrameChanged).Task;

    /// <summary>
    /// The frame deadline counts only the time the message loop spends waiting for the rest of a frame: from its first
    /// byte to its last, less any time the server itself was not reading (a busy handler, a send waiting for room,
    /// a full receive buffer). A slow server is not the peer's fault; a peer that stalls a frame is.
    /// </summary>
    private void BeginFrameWait()
    {
        var start = _time.GetTimestamp() - _frameWaited;
        Volatile.Write(ref _frameWaitStart, start != 0 ? start : 1);
        Waiter.Release(ref _partialFrameChanged);
    }

    private void EndFrameWait()
    {
        var start = Interlocked.Exchange(ref _frameWaitStart, 0);
        _frameWaited = _time.GetTimestamp() - start;
    }

    /// <summary>A frame completed, or nothing of the next one has arrived: the next frame's deadline starts from zero.</summary>
    private void OnFrameBoundary()
    {
        _frameWaited = 0;
        if (_partialFrame)
        {
            _partialFrame = false;
            Waiter.Release(ref _partialFrameChanged);
        }
    }

    private bool IsDue(TimeSpan period, long since, long now) =>
        period != Timeout.InfiniteTimeSpan && _time.GetElapsedTime(since, now) >= period;

    private void Post(Signal signal)
    {
        Interlocked.Or(ref _signals, (int)signal);
        Wake();
    }

    /// <summary>Runs the handler callbacks for signals posted since the last call. Message loop only.</summary>
    private async ValueTask ProcessSignalsAsync()
    {
        var signals = (Signal)Interlocked.Exchange(ref _signals, 0);
        if (signals == 0 || IsClosing)
        {
            return;
        }

        var handler = _handler!;
        try
        {
            if ((signals & Signal.WritabilityChanged) != 0)
            {
                handler.OnWritabilityChanged(this, IsWritable);
            }

            if ((signals & Signal.ReaderIdle) != 0)
            {
                await handler.OnIdleAsync(this, IdleKind.Reader, Closing).ConfigureAwait(false);
            }

            if ((signals & Signal.WriterIdle) != 0)
            {
                await handler.OnIdleAsync(this, IdleKind.Writer, Closing).ConfigureAwait(false);
            }

            if ((signals & Signal.AllIdle) != 0)
            {
                await handler.OnIdleAsync(this, IdleKind.All, Closing).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            OnCallbackFailed(e);
        }
    }
}

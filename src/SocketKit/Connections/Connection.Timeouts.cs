using SocketKit.Internal;

namespace SocketKit.Connections;

/// <summary>
/// Deadlines checked by the shared tick, and the signals it posts to the message loop, where the
/// handler hears of them between messages (callbacks never overlap).
/// </summary>
public sealed partial class Connection<TIn, TOut>
{
    private long _lastReceive;
    private long _lastSend;
    private long _lastReaderIdle;
    private long _lastWriterIdle;
    private long _lastAllIdle;
    private long _waitingForRoomSince;
    private long _firstUnframedReceive; // the first receive since the loop last ended on a frame boundary
    private TaskCompletionSource? _partialFrameChanged; // tests only; null unless one waits
    private long _partialFrameSince; // when the bytes of the frame now incomplete began to arrive; 0: none pending
    private int _signals;

    [Flags]
    private enum Signal
    {
        ReaderIdle = 1,
        WriterIdle = 2,
        AllIdle = 4,
        WritabilityChanged = 8,
    }

    void ITransportObserver.OnReceived(int bytes)
    {
        var now = _time.GetTimestamp();
        _lastReceive = now;
        if (Volatile.Read(ref _firstUnframedReceive) == 0)
        {
            Volatile.Write(ref _firstUnframedReceive, now);
        }
    }

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

        var partialSince = Volatile.Read(ref _partialFrameSince);
        if (partialSince != 0 && IsDue(_options.FrameTimeout, partialSince, timestamp))
        {
            TryClose(CloseReason.ReceiveTimeout, new TimeoutException(FormattableString.Invariant($"A frame took longer than {_options.FrameTimeout} to arrive.")));
            return;
        }

        var waitingSince = Volatile.Read(ref _waitingForRoomSince);
        if (waitingSince != 0 && IsDue(_options.WriteTimeout, waitingSince, timestamp))
        {
            TryClose(CloseReason.WriteTimeout, new TimeoutException(FormattableString.Invariant($"A send waited for buffer space for more than {_options.WriteTimeout}.")));
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

    /// <summary>Internal for tests: when the frame now incomplete began to arrive (0: none).</summary>
    internal long PartialFrameSince => Volatile.Read(ref _partialFrameSince);

    /// <summary>Internal for tests: completes the next time a partial frame starts or ends (take it before causing that).</summary>
    internal Task PartialFrameChanged => Waiter.GetOrCreate(ref _partialFrameChanged).Task;

    /// <summary>
    /// The message loop found <paramref name="leftover"/> bytes of an incomplete frame (or none). The deadline runs from
    /// the receive that brought the frame's first bytes, so it does not depend on when the loop got to them.
    /// </summary>
    private void TrackPartialFrame(long leftover)
    {
        if (leftover == 0)
        {
            Volatile.Write(ref _firstUnframedReceive, 0);
            if (Volatile.Read(ref _partialFrameSince) != 0)
            {
                Volatile.Write(ref _partialFrameSince, 0);
                Waiter.Release(ref _partialFrameChanged);
            }
        }
        else if (Volatile.Read(ref _partialFrameSince) == 0)
        {
            var since = Volatile.Read(ref _firstUnframedReceive);
            Volatile.Write(ref _partialFrameSince, since != 0 ? since : _time.GetTimestamp());
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

using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Tasks.Sources;

namespace SocketKit.Transports;

/// <summary>
/// A <see cref="PipeReader"/> over a queue of datagrams: each read returns exactly one datagram (possibly empty), so
/// boundaries survive without any framing. A cancelled read returns no datagram; the end comes as a completed,
/// empty read once the queue is drained. Bounded in bytes: a datagram beyond the bound is refused, not buffered.
/// </summary>
internal sealed class DatagramReader : PipeReader, IValueTaskSource<ReadResult>
{
    private readonly Lock _lock = new();
    private readonly Queue<(byte[] Buffer, int Length)> _queue = new();
    private readonly long _limit;
    private readonly ArrayPool<byte> _pool;
    private ManualResetValueTaskSourceCore<ReadResult> _waiter = new() { RunContinuationsAsynchronously = true }; // never run the session on the receive loop
    private bool _waiting;
    private long _queuedBytes;
    private (byte[] Buffer, int Length)? _current; // handed out by the last read, until AdvanceTo consumes it
    private bool _writerCompleted;
    private bool _readerCompleted;
    private bool _cancelPending;

    /// <param name="limit">Bytes queued before further datagrams are refused.</param>
    /// <param name="pool">Where datagram copies come from: shared by a server's sessions, so a copy rented on the receive
    /// loop and returned on a session's thread goes back where the next one is rented (the shared pool's per-thread
    /// caches miss under that pattern when many datagrams are in flight).</param>
    public DatagramReader(long limit, ArrayPool<byte> pool)
    {
        _limit = limit;
        _pool = pool;
    }

    /// <summary>Queues a copy of one datagram. False: refused (the queue is over its bound, or reading has ended).</summary>
    public bool TryEnqueue(in ReadOnlySequence<byte> datagram)
    {
        var length = (int)datagram.Length;
        var copy = _pool.Rent(Math.Max(1, length));
        datagram.CopyTo(copy);
        lock (_lock)
        {
            if (_writerCompleted || _readerCompleted || (_queuedBytes > 0 && _queuedBytes + length > _limit))
            {
                _pool.Return(copy);
                return false;
            }

            _queuedBytes += length;
            if (_waiting && _current is null)
            {
                _waiting = false;
                _current = (copy, length);
                _waiter.SetResult(new ReadResult(new ReadOnlySequence<byte>(copy, 0, length), isCanceled: false, isCompleted: false));
            }
            else
            {
                _queue.Enqueue((copy, length));
            }
        }

        return true;
    }

    /// <summary>No more datagrams will come; the reader sees the end once it has read the queue.</summary>
    public void CompleteWriting()
    {
        lock (_lock)
        {
            _writerCompleted = true;
            if (_waiting && _current is null)
            {
                _waiting = false;
                _waiter.SetResult(new ReadResult(default, isCanceled: false, isCompleted: true));
            }
        }
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_readerCompleted, this);
            if (TryReadLocked(out var result))
            {
                return new ValueTask<ReadResult>(result);
            }

            _waiter.Reset();
            _waiting = true;
            return new ValueTask<ReadResult>(this, _waiter.Version);
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_readerCompleted, this);
            return TryReadLocked(out result);
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        lock (_lock)
        {
            // A datagram is consumed whole or not at all; the position of its end says it was used.
            if (_current is { } current && ReferenceEquals(consumed.GetObject(), current.Buffer) && consumed.GetInteger() >= current.Length)
            {
                Release(current);
                _current = null;
            }
        }
    }

    public override void CancelPendingRead()
    {
        lock (_lock)
        {
            if (_waiting)
            {
                _waiting = false;
                _waiter.SetResult(new ReadResult(default, isCanceled: true, isCompleted: false));
            }
            else
            {
                _cancelPending = true;
            }
        }
    }

    public override void Complete(Exception? exception = null)
    {
        lock (_lock)
        {
            _readerCompleted = true;
            if (_current is { } current)
            {
                Release(current);
                _current = null;
            }

            while (_queue.TryDequeue(out var queued))
            {
                Release(queued);
            }
        }
    }

    ReadResult IValueTaskSource<ReadResult>.GetResult(short token) => _waiter.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<ReadResult>.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource<ReadResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _waiter.OnCompleted(continuation, state, token, flags);

    private bool TryReadLocked(out ReadResult result)
    {
        if (_cancelPending)
        {
            _cancelPending = false;
            result = new ReadResult(default, isCanceled: true, isCompleted: false);
            return true;
        }

        if (_current is null && _queue.TryDequeue(out var next))
        {
            _current = next;
        }

        if (_current is { } current)
        {
            result = new ReadResult(new ReadOnlySequence<byte>(current.Buffer, 0, current.Length), isCanceled: false, isCompleted: false);
            return true;
        }

        result = new ReadResult(default, isCanceled: false, isCompleted: _writerCompleted);
        return _writerCompleted;
    }

    private void Release((byte[] Buffer, int Length) datagram)
    {
        _queuedBytes -= datagram.Length;
        _pool.Return(datagram.Buffer);
    }
}

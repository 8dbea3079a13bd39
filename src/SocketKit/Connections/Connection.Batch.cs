using System.Runtime.CompilerServices;

namespace SocketKit.Connections;

/// <summary>
/// Replies in batches: what a handler sends on this connection while the connection's own loop dispatches a message to it
/// is written to the send buffer but flushed to the send loop once, when the loop has dispatched everything it read and
/// is about to wait for more, and the encode buffer is kept until then. A reply per message of a pipelined batch thus
/// costs one flush per batch, not one per message. A reply never waits on anything but the handler's own synchronous
/// work: when the handler awaits something that is not done yet, what it sent is flushed then. Sends from anywhere else
/// (other threads, another connection's handler, after the handler's first real await) flush at once, as before.
/// </summary>
public sealed partial class Connection<TIn, TOut>
{
    [ThreadStatic]
    private static Connection<TIn, TOut>? t_dispatching; // the connection whose loop is inside a handler call on this thread, synchronously

    private bool _batchPending; // under the send lock: written but not flushed, or an encode buffer kept, for the batch's end

    /// <summary>Whether a send now runs inside this connection's own dispatch (so its flush can wait for the batch's end).</summary>
    private bool InOwnDispatch => ReferenceEquals(t_dispatching, this);

    /// <summary>
    /// Calls the handler with the message, marked as this connection's dispatch while the call runs synchronously. If the
    /// handler then waits for something (its task is not complete), what it sent goes out now rather than after the wait.
    /// </summary>
    private ValueTask DispatchAsync(TIn message)
    {
        ValueTask pending;
        t_dispatching = this;
        try
        {
            pending = _handler!.OnMessageAsync(this, message, Closing);
        }
        finally
        {
            t_dispatching = null;
        }

        return pending.IsCompleted || !Volatile.Read(ref _batchPending) ? pending : EndBatchThenAwaitAsync(pending);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EndBatchThenAwaitAsync(ValueTask handling)
    {
        await EndBatchAsync().ConfigureAwait(false);
        await handling.ConfigureAwait(false);
    }

    /// <summary>The batch is dispatched: flush what its handler calls wrote and give back the encode buffer.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EndBatchAsync()
    {
        if (!Volatile.Read(ref _batchPending))
        {
            return;
        }

        await SendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await FlushBatchAsync().ConfigureAwait(false);
            _encodeBuffer?.Reset();
            _batchPending = false;
        }
        finally
        {
            SendLock.Release();
        }
    }

    /// <summary>Under the send lock: hands what was written and not yet flushed to the send loop (before waiting for room or a drain).</summary>
    private async ValueTask FlushBatchAsync()
    {
        if (!_outputCompleted && _transport.Output.UnflushedBytes > 0)
        {
            await _transport.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false); // a completed pipe: the bytes are lost with the connection
        }
    }
}

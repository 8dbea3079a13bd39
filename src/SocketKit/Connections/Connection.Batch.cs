using System.Runtime.CompilerServices;

namespace SocketKit.Connections;

// Replies in batches: what a handler sends on this connection while the connection's own loop dispatches a message to it
// is written to the send buffer but flushed to the send loop once, when the loop has dispatched everything it read and
// is about to wait for more, and the encode buffer is kept until then. A reply per message of a pipelined batch thus
// costs one flush per batch, not one per message. A reply never waits on anything but the handler's own synchronous
// work: when the handler awaits something that is not done yet, what it sent is flushed then. Sends from anywhere else
// (other threads, another connection's handler, after the handler's first real await) flush at once, as before.
// The batch holds the send lock from its first send to its end, so its further sends take no lock and run no state
// machine; a send from elsewhere meanwhile waits for the batch's end.
public sealed partial class Connection<TIn, TOut>
{
    [ThreadStatic]
    private static Connection<TIn, TOut>? t_dispatching; // the connection whose loop is inside a handler call on this thread, synchronously

    private bool _batchPending; // the loop's batch holds the send lock: written but not flushed, or an encode buffer kept

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

        return pending.IsCompleted || !_batchPending ? pending : EndBatchThenAwaitAsync(pending);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EndBatchThenAwaitAsync(ValueTask handling)
    {
        await EndBatchAsync().ConfigureAwait(false);
        await handling.ConfigureAwait(false);
    }

    /// <summary>
    /// A send from the handler while the connection's own loop dispatches to it and its batch holds the send lock:
    /// written and counted at once. False when the regular path must run (no batch yet, closing, no room).
    /// </summary>
    private bool TryWriteToBatch(TOut message, out ValueTask sent)
    {
        sent = default;
        if (!InOwnDispatch || !_batchPending || IsClosing || Volatile.Read(ref _outputCompleted)
            || Volatile.Read(ref _pendingSendBytes) >= _options.SendBufferHighWatermark)
        {
            return false;
        }

        try
        {
            Account(Write(message, default, encoded: false, batched: true));
        }
        catch (Exception e)
        {
            sent = ValueTask.FromException(e); // as the regular path reports an encoder's failure
        }

        return true;
    }

    /// <summary>Ends the batch if called from within this connection's own dispatch, before taking the send lock the batch holds.</summary>
    private ValueTask EndOwnBatchAsync() => InOwnDispatch ? EndBatchAsync() : ValueTask.CompletedTask;

    /// <summary>The batch is dispatched (the loop's own call): flush what its handler calls wrote, give back the encode buffer and the send lock.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EndBatchAsync()
    {
        if (!_batchPending)
        {
            return;
        }

        try
        {
            if (!_outputCompleted && _transport.Output.UnflushedBytes > 0)
            {
                await _transport.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false); // a completed pipe: the bytes are lost with the connection
            }
        }
        finally
        {
            _encodeBuffer?.Reset();
            _batchPending = false;
            SendLock.Release();
        }
    }
}

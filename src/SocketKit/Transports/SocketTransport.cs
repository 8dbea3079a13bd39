using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using SocketKit.Internal;

namespace SocketKit.Transports;

/// <summary>
/// TCP: a receive loop (zero-byte read first, so an idle connection holds no buffer) writing into the input
/// pipe, and a send loop draining the output pipe with gathered sends. FIN and RST are told apart.
/// </summary>
internal sealed class SocketTransport : Transport
{
    private readonly Socket _socket;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly int _segmentSize;
    private List<ArraySegment<byte>>? _gather; // created on the first multi-segment send
    private GatherSendOperation? _gatherSend; // likewise; disposed when the send loop ends
    private volatile ITransportObserver? _observer;
    private int _started;
    private Task _receiveTask = Task.CompletedTask;
    private Task _sendTask = Task.CompletedTask;
    private volatile bool _discardInput;
    private TaskCompletionSource? _receivePaused; // tests only
    private int _aborted;
    private int _disposed;

    public SocketTransport(Socket socket, PipeOptions input, PipeOptions output)
    {
        _socket = socket;
        _segmentSize = input.MinimumSegmentSize;
        _input = new Pipe(input);
        _output = new Pipe(output);
    }

    public override PipeReader Input => _input.Reader;

    /// <summary>Internal for tests: completes the next time the input pipe is full and the receive loop waits for room.</summary>
    internal Task ReceivePaused => Waiter.GetOrCreate(ref _receivePaused).Task;

    public override PipeWriter Output => _output.Writer;

    /// <summary>A plain TCP (or Unix domain) socket can send a file region from the kernel (sendfile).</summary>
    public override bool CanSendFile => true;

    public override Task SendFileAsync(FileStream file, long offset, int count) => SendPacketsOperation.SendAsync(_socket, file, offset, count);

    public override void Start(ITransportObserver observer)
    {
        _observer = observer;
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _receiveTask = ReceiveLoopAsync();
            _sendTask = SendLoopAsync();
        }
    }

    public override void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        try
        {
            // Linger 0: close sends RST and drops unsent data.
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        DisposeSocket();
    }

    public override async Task ShutdownAsync(bool graceful, TimeSpan drainTimeout, TimeProvider timeProvider)
    {
        var orderly = false;
        if (graceful)
        {
            var deadline = new Deadline(timeProvider, drainTimeout);
            _discardInput = true;
            _input.Writer.CancelPendingFlush(); // a full input pipe must not hold the receive loop
            try
            {
                await deadline.WaitAsync(_sendTask).ConfigureAwait(false);
                await deadline.WaitAsync(_receiveTask).ConfigureAwait(false);
                orderly = true;
            }
            catch (TimeoutException)
            {
                // The peer neither read our data nor closed in time: reset.
            }
        }

        if (orderly)
        {
            // Both FINs exchanged: a plain close lets the kernel finish delivering what we sent.
            DisposeSocket();
        }
        else
        {
            Abort();
        }

        await _sendTask.ConfigureAwait(false);
        await _receiveTask.ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync()
    {
        var writer = _input.Writer;
        var ending = TransportEnding.PeerFinished;
        Exception? error = null;
        try
        {
            var lastFilled = false;
            while (true)
            {
                if (_discardInput)
                {
                    await DiscardUntilFinAsync().ConfigureAwait(false);
                    break;
                }

                if (!lastFilled)
                {
                    // Wait for data without holding a buffer. After a read that filled the buffer more is
                    // probably waiting, so skip the extra call.
                    await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                }

                var memory = writer.GetMemory(_segmentSize);
                var received = await _socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break; // FIN
                }

                lastFilled = received == memory.Length;
                writer.Advance(received);
                _observer!.OnReceived(received);
                var pending = writer.FlushAsync();
                if (!pending.IsCompleted)
                {
                    Waiter.Release(ref _receivePaused);
                }

                var flush = await pending.ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    // The reader is gone or we are shutting down: keep reading only to see the peer's FIN.
                    _discardInput = true;
                }
            }
        }
        catch (SocketException e) when (SocketErrors.IsReset(e.SocketErrorCode))
        {
            (ending, error) = (TransportEnding.PeerReset, e);
        }
        catch (SocketException e) when (SocketErrors.IsLocalAbort(e.SocketErrorCode) || Volatile.Read(ref _disposed) != 0)
        {
            ending = LocalEnding; // our own shutdown
        }
        catch (ObjectDisposedException)
        {
            ending = LocalEnding; // our own shutdown
        }
        catch (SocketException e)
        {
            (ending, error) = (TransportEnding.Failed, e);
        }
        finally
        {
            // A reset or failure is reported before the message loop can see the end of input (it runs inline on
            // completion and would take it for a FIN); a FIN after, once every byte before it is in the pipe.
            if (ending is TransportEnding.PeerReset or TransportEnding.Failed)
            {
                _observer!.OnEnded(ending, error);
            }

            await writer.CompleteAsync().ConfigureAwait(false);
        }

        if (ending == TransportEnding.PeerFinished)
        {
            _observer!.OnEnded(ending, null);
        }
    }

    /// <summary>Not a <see cref="TransportEnding"/>: the stream ended because we closed the socket, so there is nothing to report.</summary>
    private const TransportEnding LocalEnding = (TransportEnding)(-1);

    private async Task DiscardUntilFinAsync()
    {
        // Never discard on the thread that completed the input pipe (its continuations run inline): a peer that floods
        // would keep that thread here, and the close that thread is running (the reset, the FIN, the deadline) would wait.
        await Task.Yield();
        var scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (await _socket.ReceiveAsync(scratch, SocketFlags.None).ConfigureAwait(false) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        var finished = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    await SendAsync(buffer).ConfigureAwait(false);
                    _observer!.OnSent(buffer.Length);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    finished = result.IsCompleted;
                    break;
                }
            }

            if (finished)
            {
                _socket.Shutdown(SocketShutdown.Send); // FIN
            }
        }
        catch (SocketException e) when (SocketErrors.IsReset(e.SocketErrorCode))
        {
            _observer!.OnEnded(TransportEnding.PeerReset, e);
        }
        catch (SocketException e) when (SocketErrors.IsLocalAbort(e.SocketErrorCode) || Volatile.Read(ref _disposed) != 0)
        {
            // Our own shutdown.
        }
        catch (ObjectDisposedException)
        {
            // Our own shutdown.
        }
        catch (SocketException e)
        {
            _observer!.OnEnded(TransportEnding.Failed, e);
        }
        finally
        {
            _gatherSend?.Dispose();
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask SendAsync(ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            await _socket.SendAsync(buffer.First, SocketFlags.None).ConfigureAwait(false);
            return;
        }

        // One gathered send for the whole batch, straight from the pipe's segments.
        var gather = _gather ??= new List<ArraySegment<byte>>();
        gather.Clear();
        foreach (var segment in buffer)
        {
            if (!MemoryMarshal.TryGetArray(segment, out var array))
            {
                gather.Clear();
                foreach (var piece in buffer)
                {
                    await _socket.SendAsync(piece, SocketFlags.None).ConfigureAwait(false);
                }

                return;
            }

            gather.Add(array);
        }

        await (_gatherSend ??= new GatherSendOperation()).SendAsync(_socket, gather).ConfigureAwait(false);
        gather.Clear();
    }

    private void DisposeSocket()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _socket.Dispose();
        }
    }
}

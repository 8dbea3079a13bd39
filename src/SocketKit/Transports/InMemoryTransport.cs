using System.Buffers;
using System.IO.Pipelines;
using SocketKit.Internal;

namespace SocketKit.Transports;

/// <summary>
/// One end of an in-memory connection: a pump copies this end's output into the other end's input, so FIN
/// (output completed), reset (<see cref="Abort"/>), backpressure and byte counts behave as over a socket.
/// </summary>
internal sealed class InMemoryTransport : Transport
{
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly TaskCompletionSource _inputEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private InMemoryTransport _peer = null!;
    private ITransportObserver? _observer;
    private Task _pump = Task.CompletedTask;
    private readonly Lock _observerLock = new();
    private bool _resetByPeer; // under _observerLock: the peer reset, perhaps before this side started
    private int _reset;

    private InMemoryTransport(PipeOptions input, PipeOptions output)
    {
        _input = new Pipe(input);
        _output = new Pipe(output);
    }

    public override PipeReader Input => _input.Reader;

    public override PipeWriter Output => _output.Writer;

    private bool Stopped => Volatile.Read(ref _reset) != 0 || Volatile.Read(ref _peer._reset) != 0;

    /// <summary>Two wired ends; each end's input and output pipes use the given options (receive limit, send watermarks).</summary>
    public static (InMemoryTransport A, InMemoryTransport B) CreatePair(PipeOptions input, PipeOptions output)
    {
        var a = new InMemoryTransport(input, output);
        var b = new InMemoryTransport(input, output);
        a._peer = b;
        b._peer = a;
        return (a, b);
    }

    public override void Start(ITransportObserver observer)
    {
        bool resetAlready;
        lock (_observerLock)
        {
            _observer = observer;
            resetAlready = _resetByPeer;
        }

        if (resetAlready)
        {
            observer.OnEnded(TransportEnding.PeerReset, PeerResetError()); // the peer reset before this side started
        }

        _pump = PumpAsync();
    }

    public override void Abort()
    {
        if (Interlocked.Exchange(ref _reset, 1) != 0)
        {
            return;
        }

        ITransportObserver? peerObserver;
        lock (_peer._observerLock)
        {
            _peer._resetByPeer = true;
            peerObserver = _peer._observer;
        }

        peerObserver?.OnEnded(TransportEnding.PeerReset, PeerResetError());
        // Stop both pumps; each completes the input it feeds.
        _output.Reader.CancelPendingRead();
        _peer._output.Reader.CancelPendingRead();
        _peer._input.Writer.CancelPendingFlush();
        _input.Writer.CancelPendingFlush();
    }

    private static IOException PeerResetError() => new("The connection was reset by the peer (in-memory).");

    public override async Task ShutdownAsync(bool graceful, TimeSpan drainTimeout, TimeProvider timeProvider)
    {
        if (graceful)
        {
            try
            {
                var deadline = new Deadline(timeProvider, drainTimeout);
                await deadline.WaitAsync(_pump).ConfigureAwait(false);
                await deadline.WaitAsync(_inputEnded.Task).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Abort();
            }
        }
        else
        {
            Abort();
        }

        await _pump.ConfigureAwait(false);
    }

    private async Task PumpAsync()
    {
        var reader = _output.Reader;
        var target = _peer._input.Writer;
        var discard = false;
        var finished = false;
        try
        {
            while (!Stopped)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var length = buffer.Length; // the buffer is not to be touched after AdvanceTo
                if (Stopped)
                {
                    reader.AdvanceTo(buffer.End);
                    break;
                }

                if (!discard)
                {
                    foreach (var segment in buffer)
                    {
                        target.Write(segment.Span);
                    }
                }

                reader.AdvanceTo(buffer.End);
                if (!discard)
                {
                    var flush = await target.FlushAsync().ConfigureAwait(false);
                    discard = flush.IsCompleted; // the peer stopped reading: keep draining to see our FIN through
                }

                // Counted as sent once the peer's input took it, as a socket counts bytes the kernel took.
                if (length > 0)
                {
                    _observer?.OnSent(length);
                    _peer._observer?.OnReceived((int)Math.Min(int.MaxValue, length));
                }

                if (result.IsCompleted)
                {
                    finished = true;
                    break;
                }
            }
        }
        finally
        {
            await target.CompleteAsync().ConfigureAwait(false);
            await reader.CompleteAsync().ConfigureAwait(false);
            _peer._inputEnded.TrySetResult();
        }

        if (finished && !Stopped)
        {
            _peer._observer?.OnEnded(TransportEnding.PeerFinished, null); // our FIN reached the peer's input
        }
    }
}

using System.Buffers;
using System.IO.Pipelines;
using SocketKit.Internal;

namespace SocketKit.Transports;

/// <summary>
/// A transport over any duplex pipe (an in-memory peer, a stream, another library's connection). Two pumps move bytes
/// between the pipe and the connection's own bounded pipes, so the connection sees what a socket gives it: byte counts,
/// backpressure, the peer's FIN (its writer completed) and a reset (its writer completed with an exception).
/// </summary>
internal sealed class PipeTransport : Transport
{
    private readonly IDuplexPipe _pipe;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private ITransportObserver? _observer;
    private Task _readPump = Task.CompletedTask;
    private Task _writePump = Task.CompletedTask;
    private int _started;
    private int _aborted;

    public PipeTransport(IDuplexPipe pipe, PipeOptions input, PipeOptions output)
    {
        _pipe = pipe;
        _input = new Pipe(input);
        _output = new Pipe(output);
    }

    public override PipeReader Input => _input.Reader;

    public override PipeWriter Output => _output.Writer;

    private bool Aborted => Volatile.Read(ref _aborted) != 0;

    public override void Start(ITransportObserver observer)
    {
        Volatile.Write(ref _observer, observer);
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _readPump = ReadPumpAsync();
            _writePump = WritePumpAsync();
        }
    }

    public override void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        // Wake both pumps wherever they wait; each ends its side (the write pump tells the peer: a reset).
        _pipe.Input.CancelPendingRead();
        _input.Writer.CancelPendingFlush();
        _output.Reader.CancelPendingRead();
        _pipe.Output.CancelPendingFlush();
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            // Never started: run the pumps anyway, so they end both sides (and a later Start starts nothing).
            _readPump = ReadPumpAsync();
            _writePump = WritePumpAsync();
        }
    }

    public override async Task ShutdownAsync(bool graceful, TimeSpan drainTimeout, TimeProvider timeProvider)
    {
        if (graceful && !Aborted)
        {
            try
            {
                var deadline = new Deadline(timeProvider, drainTimeout);
                await deadline.WaitAsync(_writePump).ConfigureAwait(false); // everything sent, then our FIN
                await deadline.WaitAsync(_readPump).ConfigureAwait(false);  // the peer's FIN
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

        await _writePump.ConfigureAwait(false);
        await _readPump.ConfigureAwait(false);
    }

    private async Task ReadPumpAsync()
    {
        await Task.Yield(); // never run the pump inside Start
        var source = _pipe.Input;
        var target = _input.Writer;
        TransportEnding? ending = null;
        Exception? error = null;
        try
        {
            while (!Aborted)
            {
                var result = await source.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var length = buffer.Length;
                foreach (var segment in buffer)
                {
                    target.Write(segment.Span);
                }

                source.AdvanceTo(buffer.End);
                if (length > 0)
                {
                    var flush = await target.FlushAsync().ConfigureAwait(false);
                    Volatile.Read(ref _observer)?.OnReceived((int)Math.Min(int.MaxValue, length));
                    if (flush.IsCompleted)
                    {
                        break; // the connection stopped reading: it is closing
                    }
                }

                if (result.IsCompleted)
                {
                    ending = TransportEnding.PeerFinished;
                    break;
                }
            }
        }
        catch (Exception e) when (!Aborted)
        {
            // The peer's writer completed with an error: what a reset is over a pipe.
            ending = TransportEnding.PeerReset;
            error = e as IOException ?? new IOException("The connection was reset by the peer.", e);
        }
        catch (Exception)
        {
            // Aborted here: the connection already knows.
        }

        await target.CompleteAsync().ConfigureAwait(false);
        await source.CompleteAsync().ConfigureAwait(false);
        if (ending is { } end && !Aborted)
        {
            Volatile.Read(ref _observer)?.OnEnded(end, error);
        }
    }

    private async Task WritePumpAsync()
    {
        await Task.Yield();
        var source = _output.Reader;
        var target = _pipe.Output;
        var discard = false;
        try
        {
            while (!Aborted)
            {
                var result = await source.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var length = buffer.Length;
                if (!discard && !Aborted)
                {
                    foreach (var segment in buffer)
                    {
                        target.Write(segment.Span);
                    }
                }

                source.AdvanceTo(buffer.End);
                if (!discard && length > 0 && !Aborted)
                {
                    var flush = await target.FlushAsync().ConfigureAwait(false);
                    discard = flush.IsCompleted; // the peer stopped reading: keep draining so our FIN still goes through
                }

                // Counted once the peer's pipe took it, as a socket counts what the kernel took.
                if (length > 0)
                {
                    Volatile.Read(ref _observer)?.OnSent(length);
                }

                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception) when (Aborted)
        {
            // Reset while writing: reported below.
        }
        catch (Exception e)
        {
            Volatile.Read(ref _observer)?.OnEnded(TransportEnding.Failed, e);
        }

        await source.CompleteAsync().ConfigureAwait(false);
        // Our FIN, or our reset: the peer reads an error.
        await target.CompleteAsync(Aborted ? new IOException("The connection was reset by the peer.") : null).ConfigureAwait(false);
    }
}

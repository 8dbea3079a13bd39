using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using SocketKit.Connections;
using SocketKit.Udp;

namespace SocketKit.Internal;

/// <summary>
/// One remote peer of a UDP server, as a transport, so a session is an ordinary <see cref="Connection{TIn, TOut}"/>.
/// The server's receive loop writes each datagram into the input pipe behind a 4-byte length (the session's framer
/// is a length-field framer, so datagram boundaries survive the byte pipe); the send loop reads the same records
/// from the output pipe and sends each payload as one datagram to the peer through the server's socket.
/// </summary>
internal sealed class UdpSessionTransport : Transport
{
    /// <summary>The length in front of each datagram in the pipes.</summary>
    public const int HeaderLength = 4;

    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> _socket;
    private readonly IPEndPoint _peer;
    private readonly Lock _inputLock = new();
    private ITransportObserver? _observer;
    private Task _sendLoop = Task.CompletedTask;
    private bool _inputClosed;  // under _inputLock
    private bool _inputPaused;  // under _inputLock: the handler is behind; datagrams are dropped until it catches up
    private volatile bool _aborted;

    public UdpSessionTransport(UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> socket, IPEndPoint peer, PipeOptions input, PipeOptions output)
    {
        _socket = socket;
        _peer = peer;
        _input = new Pipe(input);
        _output = new Pipe(output);
    }

    public override PipeReader Input => _input.Reader;

    public override PipeWriter Output => _output.Writer;

    public override void Start(ITransportObserver observer)
    {
        _observer = observer;
        _sendLoop = SendLoopAsync();
    }

    /// <summary>
    /// Queues one datagram for the session, from the server's receive loop. Returns <see langword="false"/> if it
    /// was dropped: the session is closing, or its handler is a full receive buffer behind (UDP's answer to a slow
    /// reader; the receive loop must never wait for one session).
    /// </summary>
    public bool Deliver(ReadOnlySequence<byte> datagram)
    {
        var length = (int)datagram.Length;
        lock (_inputLock)
        {
            if (_inputClosed || _inputPaused)
            {
                return false;
            }

            var writer = _input.Writer;
            var span = writer.GetSpan(HeaderLength + length);
            BinaryPrimitives.WriteInt32BigEndian(span, length);
            datagram.CopyTo(span[HeaderLength..]);
            writer.Advance(HeaderLength + length);
            // A flush that completes at once needs nothing more: a session whose connection stopped reading is closing,
            // and the server sends its peer's next datagrams to a new session.
            var flush = writer.FlushAsync();
            if (!flush.IsCompleted)
            {
                _inputPaused = true;
                _ = ResumeWhenReadAsync(flush);
            }
        }

        _observer!.OnReceived(length);
        return true;
    }

    public override void Abort()
    {
        // UDP has no reset: stop sending and let the send loop end.
        _aborted = true;
        _output.Reader.CancelPendingRead();
    }

    public override async Task ShutdownAsync(bool graceful, TimeSpan drainTimeout, TimeProvider timeProvider)
    {
        if (graceful)
        {
            try
            {
                // The connection completed the output first: the loop sends what is buffered, then ends.
                await _sendLoop.WaitAsync(drainTimeout, timeProvider).ConfigureAwait(false);
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

        await _sendLoop.ConfigureAwait(false);
        lock (_inputLock)
        {
            _inputClosed = true;
            _input.Writer.Complete();
        }
    }

    private async Task ResumeWhenReadAsync(ValueTask<FlushResult> flush)
    {
        var result = await flush.ConfigureAwait(false);
        lock (_inputLock)
        {
            _inputPaused = false;
            _inputClosed |= result.IsCompleted;
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        try
        {
            while (!_aborted)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                while (!_aborted && TryTakeRecord(ref buffer, out var payload))
                {
                    await _socket.SendToAsync(_peer, payload, CancellationToken.None).ConfigureAwait(false);
                    _observer!.OnSent(HeaderLength + payload.Length);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or ObjectDisposedException)
        {
            // The server's socket is gone or refused the datagram.
            _observer!.OnEnded(TransportEnding.Failed, e);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static bool TryTakeRecord(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> payload)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        if (buffer.Length < HeaderLength)
        {
            payload = default;
            return false;
        }

        buffer.Slice(0, HeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (buffer.Length < HeaderLength + length)
        {
            payload = default;
            return false;
        }

        payload = buffer.Slice(HeaderLength, length);
        buffer = buffer.Slice(HeaderLength + length);
        return true;
    }
}

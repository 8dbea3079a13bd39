using System.IO.Pipelines;
using System.Net;
using SocketKit.Internal;

namespace SocketKit.Transports;

/// <summary>
/// A <see cref="PipeWriter"/> whose every flush sends what was written since the last one as one datagram to a peer.
/// The connection's send path writes one message and flushes, under its send lock, so a message is a datagram.
/// </summary>
internal sealed class DatagramWriter : PipeWriter
{
    private readonly IDatagramSender _sender;
    private readonly IPEndPoint _peer;
    private readonly PooledBufferWriter _buffer = new();
    private int _unflushed;
    private ITransportObserver? _observer;
    private volatile bool _stopped;

    public DatagramWriter(IDatagramSender sender, IPEndPoint peer)
    {
        _sender = sender;
        _peer = peer;
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _unflushed;

    public void Start(ITransportObserver observer) => _observer = observer;

    /// <summary>Stops sending (UDP has no reset): later flushes send nothing and say the reader is gone.</summary>
    public void Stop() => _stopped = true;

    public override void Advance(int bytes)
    {
        _buffer.Advance(bytes);
        _unflushed += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => _buffer.GetSpan(sizeHint);

    public override void CancelPendingFlush()
    {
        // A flush is one send, which is never held up by a full buffer here.
    }

    public override void Complete(Exception? exception = null)
    {
        _stopped = true;
        _buffer.Reset();
        _unflushed = 0;
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var length = _unflushed;
        try
        {
            if (_stopped)
            {
                return new FlushResult(isCanceled: false, isCompleted: true);
            }

            await _sender.SendAsync(_peer, _buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or InvalidOperationException or ObjectDisposedException or ArgumentException)
        {
            // The server's socket is gone, or refused the datagram (too large): the session cannot send.
            _stopped = true;
            _observer?.OnEnded(TransportEnding.Failed, e);
            return new FlushResult(isCanceled: false, isCompleted: true);
        }
        finally
        {
            _buffer.Reset();
            _unflushed = 0;
        }

        _observer?.OnSent(length);
        return new FlushResult(isCanceled: false, isCompleted: false);
    }
}

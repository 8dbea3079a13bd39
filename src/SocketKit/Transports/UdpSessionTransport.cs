using System.Buffers;
using System.IO.Pipelines;
using System.Net;

namespace SocketKit.Transports;

/// <summary>
/// One remote peer of a UDP server, as a transport, so a session is an ordinary connection. Datagrams travel as they
/// are: the server's receive loop queues each one for the session (<see cref="DatagramReader"/>: one read, one
/// datagram), and every message the session sends goes out as one datagram through the server's socket
/// (<see cref="DatagramWriter"/>). Nothing is re-framed.
/// </summary>
internal sealed class UdpSessionTransport : Transport
{
    private readonly DatagramReader _input;
    private readonly DatagramWriter _output;
    private ITransportObserver? _observer;

    /// <param name="sender">The server's socket.</param>
    /// <param name="peer">Where this session's datagrams go.</param>
    /// <param name="receiveLimit">Bytes of datagrams queued for a handler that is behind before more are dropped.</param>
    /// <param name="pool">The server's pool for queued datagrams.</param>
    public UdpSessionTransport(IDatagramSender sender, IPEndPoint peer, long receiveLimit, ArrayPool<byte> pool)
    {
        _input = new DatagramReader(receiveLimit, pool);
        _output = new DatagramWriter(sender, peer);
    }

    public override PipeReader Input => _input;

    public override PipeWriter Output => _output;

    /// <summary>Each message the connection reads is one datagram.</summary>
    public override bool IsDatagram => true;

    public override void Start(ITransportObserver observer)
    {
        _observer = observer;
        _output.Start(observer);
    }

    /// <summary>
    /// Queues one datagram for the session, from the server's receive loop. Returns <see langword="false"/> if it was
    /// dropped: the session is closing, or its handler is a full receive buffer behind (UDP's answer to a slow reader;
    /// the receive loop never waits for one session).
    /// </summary>
    public bool Deliver(in ReadOnlySequence<byte> datagram)
    {
        if (!_input.TryEnqueue(datagram))
        {
            return false;
        }

        _observer!.OnReceived((int)datagram.Length);
        return true;
    }

    /// <summary>UDP has no reset: stop sending.</summary>
    public override void Abort() => _output.Stop();

    public override Task ShutdownAsync(bool graceful, TimeSpan drainTimeout, TimeProvider timeProvider)
    {
        // Every accepted message was sent by its own flush: there is nothing left to drain.
        _output.Stop();
        _input.CompleteWriting();
        return Task.CompletedTask;
    }
}

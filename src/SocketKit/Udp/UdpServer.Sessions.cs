using System.Buffers;
using SocketKit.Connections;
using SocketKit.Internal;
using SocketKit.Servers;
using SocketKit.Transports;

namespace SocketKit.Udp;

// The session table: a datagram finds or opens its peer's session; sessions are evicted least recently heard first.
public sealed partial class UdpServer<TIn, TOut>
{
    /// <summary>One datagram from the shared receive loop: find or open its session and queue the datagram there.</summary>
    private async ValueTask DispatchAsync(Datagram<ReadOnlySequence<byte>> datagram)
    {
        if (_lifetime.IsStopping)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        Session? session;
        lock (_table)
        {
            if (_sessions.TryGetValue(datagram.Tuple, out session))
            {
                if (session.Connection.CloseInfo is null)
                {
                    _byLastDatagram.Remove(session.Node);
                    _byLastDatagram.AddLast(session.Node);
                }
                else
                {
                    Forget(session); // closing: this datagram starts the peer's next session
                    session = null;
                }
            }
        }

        if (session is null)
        {
            if (!await AcceptFilter.AllowsAsync(_options.AcceptFilter, datagram.Tuple, _connectionLogger, _lifetime.Stopping).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _rejected);
                _metrics!.Rejected("accept_filter");
                return;
            }

            if (!TryCreateHandler(datagram.Tuple, out var handler))
            {
                Interlocked.Increment(ref _rejected);
                _metrics!.Rejected("setup_failed");
                return;
            }

            session = Open(datagram, handler);
        }

        if (!session.Transport.Deliver(datagram.Message))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>The handler factory threw: this peer's datagram is refused, the receive loop carries on.</summary>
    private bool TryCreateHandler(FiveTuple tuple, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConnectionHandler<TIn, TOut>? handler)
    {
        try
        {
            handler = _handlers.Create(tuple);
            return true;
        }
        catch (Exception e)
        {
            Log.SetupFailed(_connectionLogger, tuple, e);
            handler = null;
            return false;
        }
    }

    private Session Open(Datagram<ReadOnlySequence<byte>> datagram, ConnectionHandler<TIn, TOut> handler)
    {
        var transport = new UdpSessionTransport(_sender!, datagram.RemoteEndPoint, _receiveLimit, _datagramPool);
        var connection = new Connection<TIn, TOut>(transport, datagram.Tuple, _codec, handler, _options.Session, _ticker!,
            _connectionLogger, this, _lifetime.DrainExpired)
        {
            Owner = this,
            HandlerFactory = _handlers,
        };
        var session = new Session(connection, transport);
        Session? evicted = null;
        lock (_table)
        {
            if (_sessions.Count >= _options.MaxSessions && _byLastDatagram.First is { } oldest)
            {
                evicted = oldest.Value;
                Forget(evicted);
            }

            _sessions[datagram.Tuple] = session;
            _byLastDatagram.AddLast(session.Node);
        }

        if (evicted is not null)
        {
            Interlocked.Increment(ref _evicted);
            evicted.Connection.Close(CloseReason.Evicted);
        }

        Interlocked.Increment(ref _accepted);
        _lifetime.ConnectionStarted();
        _metrics!.Opened();
        _metrics.StartActivity(connection.Id, connection.Tuple);
        _ = connection.RunAsync();
        return session;
    }

    /// <summary>Removes a session from the table (under the lock); the peer's next datagram opens a new one.</summary>
    private void Forget(Session session)
    {
        if (session.Node.List is not null)
        {
            _byLastDatagram.Remove(session.Node);
            _sessions.Remove(session.Connection.Tuple);
            _metrics?.Ended(session.Connection.Traffic);
        }
    }

    private sealed class Session
    {
        public Session(Connection<TIn, TOut> connection, UdpSessionTransport transport)
        {
            Connection = connection;
            Transport = transport;
            Node = new LinkedListNode<Session>(this);
        }

        public Connection<TIn, TOut> Connection { get; }

        public UdpSessionTransport Transport { get; }

        public LinkedListNode<Session> Node { get; }
    }
}

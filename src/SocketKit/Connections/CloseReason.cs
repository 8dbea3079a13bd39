namespace SocketKit.Connections;

/// <summary>Why a connection closed. The first reason recorded wins.</summary>
public enum CloseReason
{
    /// <summary>The application closed it (<c>Close</c>, <c>DisposeAsync</c>).</summary>
    LocalClose,

    /// <summary>The application aborted it (<c>Abort</c>): reset sent, unsent data dropped.</summary>
    LocalAbort,

    /// <summary>The peer closed its side (TCP FIN) and, unless half-close is allowed, the connection then closed.</summary>
    PeerClose,

    /// <summary>The peer reset the connection (TCP RST).</summary>
    PeerReset,

    /// <summary>No data either way for longer than the idle timeout.</summary>
    IdleTimeout,

    /// <summary>A frame took longer than <see cref="ConnectionOptions.FrameTimeout"/> to arrive (slowloris protection); the connection is reset.</summary>
    ReceiveTimeout,

    /// <summary>A send waited for buffer space longer than the write timeout: the peer does not read.</summary>
    WriteTimeout,

    /// <summary>The send buffer filled and the policy is to disconnect.</summary>
    SlowConsumer,

    /// <summary>The peer sent a frame that was too long or malformed.</summary>
    ProtocolError,

    /// <summary>A handler callback threw.</summary>
    HandlerError,

    /// <summary>The server is stopping.</summary>
    ServerShutdown,

    /// <summary>The socket failed with an error other than a reset.</summary>
    TransportError,

    /// <summary>A UDP session was closed to make room for a new peer: the session table was full and this one had been idle longest.</summary>
    Evicted,

    /// <summary>
    /// The connection handed its transport to a connection of another protocol (<c>Upgrade</c>): nothing was closed on
    /// the wire; the new connection, with the same id and five-tuple, carries on from the next byte.
    /// </summary>
    Upgraded,
}

namespace SocketKit.Transports;

/// <summary>How a transport's stream from the peer ended. The connection maps it to a close reason.</summary>
internal enum TransportEnding
{
    /// <summary>The peer finished sending (TCP FIN, close_notify): every byte it sent is in the input pipe.</summary>
    PeerFinished,

    /// <summary>The peer reset the connection (TCP RST).</summary>
    PeerReset,

    /// <summary>The transport failed (a socket error other than a reset, a TLS alert, the shared socket gone).</summary>
    Failed,
}

namespace SocketKit.Transports;

/// <summary>What a transport tells its connection. Called from the transport's loops; must not block.</summary>
internal interface ITransportObserver
{
    /// <summary>Bytes arrived from the peer.</summary>
    void OnReceived(int bytes);

    /// <summary>Bytes were handed to the OS.</summary>
    void OnSent(long bytes);

    /// <summary>
    /// The stream from the peer ended, and how: the peer finished sending (FIN; the input pipe is complete), reset,
    /// or the transport failed. The connection decides what that means for it (a close reason, or nothing yet).
    /// </summary>
    void OnEnded(TransportEnding ending, Exception? error);
}

using SocketKit.Connections;

namespace SocketKit.Internal;

/// <summary>What a transport tells its connection. Called from the transport's loops; must not block.</summary>
internal interface ITransportObserver
{
    /// <summary>Bytes arrived from the peer.</summary>
    void OnReceived(int bytes);

    /// <summary>Bytes were handed to the OS.</summary>
    void OnSent(long bytes);

    /// <summary>The transport failed (reset, socket error): the connection records it as a close reason.</summary>
    void OnTransportError(CloseReason reason, Exception error);
}

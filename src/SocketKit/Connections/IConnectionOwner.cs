
namespace SocketKit.Connections;

/// <summary>
/// What a connection tells the server that owns it. A callback rather than an awaited task, so an idle connection
/// holds no state machine on the owner's side.
/// </summary>
internal interface IConnectionOwner<TIn, TOut>
{
    /// <summary>The socket is closed; <c>OnDisconnectedAsync</c> has not run yet. The owner frees the connection's slot.</summary>
    void OnTransportClosed(Connection<TIn, TOut> connection);

    /// <summary>
    /// <c>OnDisconnectedAsync</c> has returned: the owner releases the handler it created for this connection
    /// (<see cref="IConnectionHandlerFactory{TIn, TOut}.ReleaseAsync"/>).
    /// </summary>
    ValueTask ReleaseHandlerAsync(ConnectionHandler<TIn, TOut> handler, CancellationToken cancellationToken);

    /// <summary>The connection dropped input that broke its protocol (a too-long frame, a datagram that did not decode) and carries on.</summary>
    void OnProtocolError();

    /// <summary>The connection is closed, <c>OnDisconnectedAsync</c> has returned and its handler is released. Called exactly once.</summary>
    void OnFinished(Connection<TIn, TOut> connection);
}

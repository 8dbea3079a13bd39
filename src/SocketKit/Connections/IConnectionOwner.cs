
namespace SocketKit.Connections;

/// <summary>
/// What a connection tells the server that owns it. A callback rather than an awaited task, so an idle connection
/// holds no state machine on the owner's side.
/// </summary>
internal interface IConnectionOwner<TIn, TOut>
{
    /// <summary>The socket is closed; <c>OnDisconnectedAsync</c> has not run yet. The owner frees the connection's slot.</summary>
    void OnTransportClosed(Connection<TIn, TOut> connection);

    /// <summary>The connection is closed and <c>OnDisconnectedAsync</c> has returned. Called exactly once.</summary>
    void OnFinished(Connection<TIn, TOut> connection);
}

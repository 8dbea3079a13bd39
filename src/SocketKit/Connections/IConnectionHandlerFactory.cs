namespace SocketKit.Connections;

/// <summary>
/// Gives each connection its own handler, for handlers with per-connection state or per-connection services
/// (SocketKit.Hosting resolves them from a dependency-injection scope per connection). A server built with a handler
/// instance shares that one instance instead.
/// </summary>
/// <remarks>
/// <see cref="Create"/> runs once per accepted connection (or UDP session) before <c>OnConnectedAsync</c>, on the
/// server's setup path; if it throws, that connection alone is dropped and the server logs it. <see cref="ReleaseAsync"/>
/// runs once per created handler after <c>OnDisconnectedAsync</c> has returned, and a server's stop waits for it.
/// </remarks>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public interface IConnectionHandlerFactory<TIn, TOut>
{
    /// <summary>Creates the handler for a new connection.</summary>
    /// <param name="tuple">The new connection's five-tuple.</param>
    /// <returns>The handler; the connection uses it for all of its callbacks.</returns>
    ConnectionHandler<TIn, TOut> Create(FiveTuple tuple);

    /// <summary>Releases a handler <see cref="Create"/> returned, once its connection is finished.</summary>
    /// <param name="handler">The handler.</param>
    /// <param name="cancellationToken">Cancelled if the server stops waiting.</param>
    /// <returns>A task that completes when the handler is released.</returns>
    ValueTask ReleaseAsync(ConnectionHandler<TIn, TOut> handler, CancellationToken cancellationToken);
}

using Microsoft.Extensions.DependencyInjection;
using SocketKit.Connections;

namespace SocketKit.Hosting;

/// <summary>A handler resolved from a connection's scope, carrying that scope until the connection is finished.</summary>
internal sealed class ScopedHandler<TIn, TOut>(AsyncServiceScope scope, ConnectionHandler<TIn, TOut> inner) : ConnectionHandler<TIn, TOut>
{
    public AsyncServiceScope Scope => scope;

    public override ValueTask OnConnectedAsync(Connection<TIn, TOut> connection, CancellationToken closing) =>
        inner.OnConnectedAsync(connection, closing);

    public override ValueTask OnMessageAsync(Connection<TIn, TOut> connection, TIn message, CancellationToken closing) =>
        inner.OnMessageAsync(connection, message, closing);

    public override ValueTask OnIdleAsync(Connection<TIn, TOut> connection, IdleKind kind, CancellationToken closing) =>
        inner.OnIdleAsync(connection, kind, closing);

    public override ValueTask OnInputCompletedAsync(Connection<TIn, TOut> connection, CancellationToken closing) =>
        inner.OnInputCompletedAsync(connection, closing);

    public override void OnWritabilityChanged(Connection<TIn, TOut> connection, bool writable) =>
        inner.OnWritabilityChanged(connection, writable);

    public override void OnError(Connection<TIn, TOut> connection, Exception error) => inner.OnError(connection, error);

    public override ValueTask OnDisconnectedAsync(Connection<TIn, TOut> connection, CloseInfo closeInfo, CancellationToken cancellationToken) =>
        inner.OnDisconnectedAsync(connection, closeInfo, cancellationToken);
}

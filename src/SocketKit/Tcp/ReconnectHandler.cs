using SocketKit.Connections;

namespace SocketKit.Tcp;

/// <summary>
/// A connection handler for a <see cref="ReconnectingClient{TIn, TOut}"/>: one instance serves each connection in turn
/// (the usual callbacks, in order, per connection), and hears when the client schedules a retry and when it is back.
/// </summary>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public abstract class ReconnectHandler<TIn, TOut> : ConnectionHandler<TIn, TOut>
{
    /// <summary>The connection ended or an attempt failed; the next attempt follows after <see cref="ReconnectAttempt.Delay"/>.</summary>
    /// <param name="attempt">The attempt scheduled.</param>
    /// <param name="stopping">Cancelled when the client stops.</param>
    /// <returns>A task; the wait starts when it completes.</returns>
    public virtual ValueTask OnReconnectingAsync(ReconnectAttempt attempt, CancellationToken stopping) => ValueTask.CompletedTask;

    /// <summary>A new connection replaced the lost one (called after its <c>OnConnectedAsync</c>).</summary>
    /// <param name="connection">The new connection.</param>
    /// <param name="stopping">Cancelled when the client stops.</param>
    /// <returns>A task.</returns>
    public virtual ValueTask OnReconnectedAsync(Connection<TIn, TOut> connection, CancellationToken stopping) => ValueTask.CompletedTask;
}

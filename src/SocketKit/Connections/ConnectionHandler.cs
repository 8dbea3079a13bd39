using SocketKit.Codecs;

namespace SocketKit.Connections;

/// <summary>
/// What to do with a connection's events. One instance may serve many connections; the callbacks of
/// one connection never overlap and come in order: <see cref="OnConnectedAsync"/>, then any number of
/// <see cref="OnMessageAsync"/>, <see cref="OnIdleAsync"/>, <see cref="OnError"/>, <see cref="OnInputCompletedAsync"/>
/// and <see cref="OnWritabilityChanged"/>, at most one <see cref="OnProtocolErrorAsync"/>, then <see cref="OnDisconnectedAsync"/>. Connected and disconnected
/// come at most once each, always as a pair.
/// </summary>
/// <remarks>
/// An exception thrown by a callback closes only its own connection, with <see cref="CloseReason.HandlerError"/>.
/// Every callback but the last receives a token that is cancelled when the connection starts closing.
/// </remarks>
/// <typeparam name="TIn">The type of received messages.</typeparam>
/// <typeparam name="TOut">The type of sent messages.</typeparam>
public abstract class ConnectionHandler<TIn, TOut>
{
    /// <summary>The connection is open. Runs before any message is delivered.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="closing">Cancelled when the connection starts closing.</param>
    /// <returns>A task that completes when the handler is done.</returns>
    public virtual ValueTask OnConnectedAsync(Connection<TIn, TOut> connection, CancellationToken closing) => ValueTask.CompletedTask;

    /// <summary>
    /// A message arrived. The next message is not delivered until the returned task completes, so awaiting
    /// <c>SendAsync</c> here ties this connection's input to its output (end-to-end backpressure).
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="message">The message; if it refers to the input buffer, it is valid only until this task completes.</param>
    /// <param name="closing">Cancelled when the connection starts closing.</param>
    /// <returns>A task that completes when the message is handled.</returns>
    public abstract ValueTask OnMessageAsync(Connection<TIn, TOut> connection, TIn message, CancellationToken closing);

    /// <summary>A direction has been idle for its configured time (<see cref="ConnectionOptions.ReaderIdleTime"/> and friends).</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="kind">Which direction was idle.</param>
    /// <param name="closing">Cancelled when the connection starts closing.</param>
    /// <returns>A task that completes when handled, e.g. after sending a heartbeat.</returns>
    public virtual ValueTask OnIdleAsync(Connection<TIn, TOut> connection, IdleKind kind, CancellationToken closing) => ValueTask.CompletedTask;

    /// <summary>
    /// The peer finished sending (FIN) and <see cref="ConnectionOptions.AllowHalfClose"/> is on: the connection
    /// can still send; close it when done.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="closing">Cancelled when the connection starts closing.</param>
    /// <returns>A task that completes when handled.</returns>
    public virtual ValueTask OnInputCompletedAsync(Connection<TIn, TOut> connection, CancellationToken closing) => ValueTask.CompletedTask;

    /// <summary>The send buffer crossed a watermark: above the high one the connection is not writable, below the low one it is again.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="writable">The new writability.</param>
    public virtual void OnWritabilityChanged(Connection<TIn, TOut> connection, bool writable)
    {
    }

    /// <summary>A non-fatal error, such as a too-long frame that was discarded; the connection stays open.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="error">What went wrong.</param>
    public virtual void OnError(Connection<TIn, TOut> connection, Exception error)
    {
    }

    /// <summary>
    /// The peer's input broke the protocol (the framer or decoder threw a <see cref="ProtocolException"/>): nothing more
    /// is read or dispatched, but the connection can still send, so the handler may answer (an HTTP 400, a WebSocket
    /// close frame with 1002) before the connection closes gracefully with <see cref="CloseReason.ProtocolError"/>.
    /// The default sends nothing.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="error">What was wrong with the input; a codec's own exception type, such as one carrying a status code.</param>
    /// <param name="closing">Cancelled when the connection starts closing (a timeout, a reset, server stop).</param>
    /// <returns>A task that completes when the answer is sent; the connection closes then.</returns>
    public virtual ValueTask OnProtocolErrorAsync(Connection<TIn, TOut> connection, ProtocolException error, CancellationToken closing) => ValueTask.CompletedTask;

    /// <summary>The connection closed; the socket is gone. Called once, after <see cref="OnConnectedAsync"/> was.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="closeInfo">Why it closed.</param>
    /// <param name="cancellationToken">Cancelled if the owner (e.g. a stopping server) stops waiting.</param>
    /// <returns>A task that completes when handled.</returns>
    public virtual ValueTask OnDisconnectedAsync(Connection<TIn, TOut> connection, CloseInfo closeInfo, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

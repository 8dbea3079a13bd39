namespace SocketKit.Connections;

/// <summary>One handler instance for every connection: what a server built with a handler (not a factory) uses.</summary>
internal sealed class SharedHandlerFactory<TIn, TOut>(ConnectionHandler<TIn, TOut> handler) : IConnectionHandlerFactory<TIn, TOut>
{
    /// <summary>The factory for <paramref name="handler"/>; throws if it is <see langword="null"/> (for constructor chaining).</summary>
    public static SharedHandlerFactory<TIn, TOut> For(ConnectionHandler<TIn, TOut> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new SharedHandlerFactory<TIn, TOut>(handler);
    }

    public ConnectionHandler<TIn, TOut> Create(FiveTuple tuple) => handler;

    public ValueTask ReleaseAsync(ConnectionHandler<TIn, TOut> handler, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

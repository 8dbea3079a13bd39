using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using SocketKit.Connections;

namespace SocketKit.Hosting;

/// <summary>
/// Resolves each connection's handler from its own dependency-injection scope, so a handler can take scoped services
/// (a unit of work, a per-client session); the scope is disposed once the connection is finished.
/// </summary>
internal sealed class ScopedHandlerFactory<TIn, TOut, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(
    IServiceScopeFactory scopes) : IConnectionHandlerFactory<TIn, TOut>
    where THandler : ConnectionHandler<TIn, TOut>
{
    public ConnectionHandler<TIn, TOut> Create(FiveTuple tuple)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            return new ScopedHandler<TIn, TOut>(scope, scope.ServiceProvider.GetRequiredService<THandler>());
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }

    public ValueTask ReleaseAsync(ConnectionHandler<TIn, TOut> handler, CancellationToken cancellationToken) =>
        ((ScopedHandler<TIn, TOut>)handler).Scope.DisposeAsync();
}

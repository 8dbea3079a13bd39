using SocketKit.Connections;

namespace SocketKit.Tests.Infrastructure;

/// <summary>A handler that ignores every message.</summary>
public sealed class NullHandler : ConnectionHandler<string, string>
{
    public override ValueTask OnMessageAsync(Connection<string, string> connection, string message, CancellationToken closing) => ValueTask.CompletedTask;
}

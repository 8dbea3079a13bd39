using System.Buffers;
using SocketKit.Connections;

namespace Echo;

/// <summary>Sends every frame back unchanged. Awaiting the send ties input to output: a client that stops reading slows only itself.</summary>
public sealed class EchoHandler(TextWriter? log = null) : ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
{
    public override ValueTask OnConnectedAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, CancellationToken closing)
    {
        // Over a Unix domain socket (Linux) the kernel says which process and user connected: a local server can trust that.
        log?.WriteLine(connection.PeerCredentials is { } peer ? $"server: connected    {connection} ({peer})" : $"server: connected    {connection}");
        return ValueTask.CompletedTask;
    }

    public override ValueTask OnMessageAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, ReadOnlySequence<byte> message, CancellationToken closing) =>
        connection.SendAsync(message, closing);

    public override ValueTask OnDisconnectedAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, CloseInfo closeInfo, CancellationToken cancellationToken)
    {
        log?.WriteLine($"server: disconnected {connection} ({closeInfo})");
        return ValueTask.CompletedTask;
    }
}

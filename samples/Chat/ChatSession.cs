using SocketKit.Connections;

namespace Chat;

/// <summary>
/// The TCP front end: one client's line connection (SocketKit.Hosting resolves a session per connection from DI).
/// Every line goes to the shared <see cref="ChatCommands"/>; the connection is this member's way to hear back.
/// </summary>
public sealed class ChatSession(ChatHub hub) : ConnectionHandler<string, string>
{
    private readonly ChatCommands _commands = new(hub);
    private LineMember _member = null!;

    public override ValueTask OnConnectedAsync(Connection<string, string> connection, CancellationToken closing)
    {
        _member = new LineMember(connection);
        return connection.SendAsync(ChatCommands.Welcome, closing);
    }

    public override async ValueTask OnMessageAsync(Connection<string, string> connection, string line, CancellationToken closing) =>
        await _commands.HandleAsync(_member, line, closing);

    public override async ValueTask OnDisconnectedAsync(Connection<string, string> connection, CloseInfo closeInfo, CancellationToken cancellationToken) =>
        await _commands.LeaveAsync(_member, closeInfo, cancellationToken);

    private sealed class LineMember(Connection<string, string> connection) : ChatMember
    {
        public override long Id => connection.Id;

        public override string Address => connection.Tuple.RemoteEndPoint.ToString();

        public override ValueTask SendAsync(string line, CancellationToken cancellationToken) => connection.SendAsync(line, cancellationToken);

        public override ValueTask DisconnectAsync(CancellationToken cancellationToken)
        {
            connection.Close();
            return ValueTask.CompletedTask;
        }
    }
}

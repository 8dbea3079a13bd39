using Chat;
using HttpServer.WebSockets;
using SocketKit.Connections;

namespace HttpServer.ChatPage;

/// <summary>
/// The browser front end of the chat: each WebSocket text message is a chat line, handled by the same
/// <see cref="ChatCommands"/> and <see cref="ChatHub"/> as the TCP chat's, so browser and nc users share the rooms.
/// </summary>
public sealed class ChatWebSocket(ChatHub hub) : WebSocketSession
{
    private readonly ChatCommands _commands = new(hub);
    private SocketMember _member = null!;

    public override ValueTask OnConnectedAsync(Connection<WebSocketFrame, WebSocketFrame> connection, CancellationToken closing)
    {
        _member = new SocketMember(connection, this);
        return SendTextAsync(connection, ChatCommands.Welcome, closing);
    }

    public override async ValueTask OnDisconnectedAsync(Connection<WebSocketFrame, WebSocketFrame> connection, CloseInfo closeInfo, CancellationToken cancellationToken) =>
        await _commands.LeaveAsync(_member, closeInfo, cancellationToken);

    protected override async ValueTask OnTextAsync(Connection<WebSocketFrame, WebSocketFrame> connection, string text, CancellationToken closing)
    {
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await _commands.HandleAsync(_member, line, closing);
        }
    }

    private sealed class SocketMember(Connection<WebSocketFrame, WebSocketFrame> connection, ChatWebSocket session) : ChatMember
    {
        public override long Id => connection.Id;

        public override string Address => connection.Tuple.RemoteEndPoint.ToString();

        public override ValueTask SendAsync(string line, CancellationToken cancellationToken) => SendTextAsync(connection, line, cancellationToken);

        public override async ValueTask DisconnectAsync(CancellationToken cancellationToken)
        {
            await session.CloseAsync(connection, WebSocketCloseCode.Normal, "bye", cancellationToken);
            connection.Close();
        }
    }
}

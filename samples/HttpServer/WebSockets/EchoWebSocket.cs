using SocketKit.Connections;

namespace HttpServer.WebSockets;

/// <summary>Echoes every message back, text as text and binary as binary.</summary>
public sealed class EchoWebSocket : WebSocketSession
{
    protected override ValueTask OnTextAsync(Connection<WebSocketFrame, WebSocketFrame> connection, string text, CancellationToken closing) =>
        SendTextAsync(connection, text, closing);

    protected override ValueTask OnBinaryAsync(Connection<WebSocketFrame, WebSocketFrame> connection, ReadOnlyMemory<byte> data, CancellationToken closing) =>
        connection.SendAsync(new WebSocketFrame(WebSocketOpcode.Binary, data.ToArray()), closing);
}

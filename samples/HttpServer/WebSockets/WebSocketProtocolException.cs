using SocketKit.Codecs;

namespace HttpServer.WebSockets;

/// <summary>The peer broke RFC 6455: the connection answers with a close frame carrying <see cref="CloseCode"/> and closes.</summary>
public sealed class WebSocketProtocolException(ushort closeCode, string message) : ProtocolException(message)
{
    /// <summary>1002 (protocol error), 1007 (invalid payload) or 1009 (message too big).</summary>
    public ushort CloseCode { get; } = closeCode;
}

using SocketKit.Codecs;

namespace HttpServer.WebSockets;

/// <summary>The server side of RFC 6455 framing: masked client frames in, unmasked server frames out.</summary>
public static class WebSocketCodec
{
    public static Codec<WebSocketFrame, WebSocketFrame> Create(WebSocketLimits? limits = null)
    {
        limits ??= WebSocketLimits.Default;
        return new(new FramerFactory(() => new WebSocketFramer(limits)), WebSocketFrameDecoder.Instance, WebSocketFrameEncoder.Instance);
    }
}

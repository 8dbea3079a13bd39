namespace HttpServer.WebSockets;

/// <summary>How large a WebSocket frame and message may be before the connection closes with 1009.</summary>
public sealed class WebSocketLimits
{
    public static WebSocketLimits Default { get; } = new();

    /// <summary>
    /// The largest frame payload (1 MiB: browsers send a message as one frame). A whole frame must fit the connection's
    /// input buffer, so the server sizes that buffer for it (<see cref="WebServer"/>).
    /// </summary>
    public int MaxFramePayload { get; init; } = 1024 * 1024;

    /// <summary>The largest message, all fragments together (1 MiB).</summary>
    public int MaxMessage { get; init; } = 1024 * 1024;
}

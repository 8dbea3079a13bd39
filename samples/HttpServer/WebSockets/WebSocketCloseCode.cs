namespace HttpServer.WebSockets;

/// <summary>The close status codes this server sends (RFC 6455 section 7.4.1).</summary>
public static class WebSocketCloseCode
{
    public const ushort Normal = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort InvalidPayload = 1007;
    public const ushort MessageTooBig = 1009;
    public const ushort InternalError = 1011;

    /// <summary>Whether a peer may send <paramref name="code"/> in a close frame: 1000–1003, 1007–1014, 3000–4999 (section 7.4).</summary>
    public static bool IsValidFromPeer(int code) => code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);
}

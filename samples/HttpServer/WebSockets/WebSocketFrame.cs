namespace HttpServer.WebSockets;

/// <summary>One WebSocket frame: received (unmasked already) or to send (servers send unmasked frames).</summary>
public sealed class WebSocketFrame(WebSocketOpcode opcode, ReadOnlyMemory<byte> payload, bool isFinal = true)
{
    public WebSocketOpcode Opcode { get; } = opcode;

    /// <summary>Whether this frame ends its message (FIN).</summary>
    public bool IsFinal { get; } = isFinal;

    public ReadOnlyMemory<byte> Payload { get; } = payload;

    public bool IsControl => (byte)Opcode >= 0x8;

    public static WebSocketFrame Text(string text) => new(WebSocketOpcode.Text, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>A close frame: the status code, then an optional UTF-8 reason (at most 123 bytes, as a control frame allows).</summary>
    public static WebSocketFrame Close(ushort code, string reason = "")
    {
        var reasonBytes = System.Text.Encoding.UTF8.GetBytes(reason);
        var payload = new byte[2 + Math.Min(reasonBytes.Length, 123)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        reasonBytes.AsSpan(0, payload.Length - 2).CopyTo(payload.AsSpan(2));
        return new(WebSocketOpcode.Close, payload);
    }
}

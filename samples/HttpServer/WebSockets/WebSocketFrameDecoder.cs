using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using SocketKit.Codecs;

namespace HttpServer.WebSockets;

/// <summary>
/// Unmasks the frame the connection's <see cref="WebSocketFramer"/> cut (its header is already parsed there) into a
/// <see cref="WebSocketFrame"/>, and checks a close frame's payload: a status code a peer may send (1002) and a UTF-8 reason (1007).
/// </summary>
public sealed class WebSocketFrameDecoder : IFramerAwareDecoder<WebSocketFrame>
{
    /// <summary>UTF-8 that throws on invalid bytes: for close reasons here, and text messages in <see cref="WebSocketSession"/>.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static WebSocketFrameDecoder Instance { get; } = new();

    public WebSocketFrame Decode(Framer framer, in ReadOnlySequence<byte> frame)
    {
        var (opcode, isFinal, maskKey, payloadOffset) = ((WebSocketFramer)framer).Current;
        var payload = frame.Slice(payloadOffset).ToArray();
        Unmask(payload, maskKey);
        if (opcode == WebSocketOpcode.Close)
        {
            CheckClose(payload);
        }

        return new WebSocketFrame(opcode, payload, isFinal);
    }

    /// <summary>Without a connection's framer: decodes <paramref name="frame"/> as one whole frame.</summary>
    public WebSocketFrame Decode(in ReadOnlySequence<byte> frame)
    {
        var framer = new WebSocketFramer(WebSocketLimits.Default);
        var input = frame;
        return framer.Decode(ref input, out var cut) == FrameStatus.Frame && input.IsEmpty
            ? Decode(framer, cut)
            : throw new WebSocketProtocolException(WebSocketCloseCode.ProtocolError, "The bytes are not exactly one frame.");
    }

    /// <summary>RFC 6455 section 5.3: byte i is XORed with byte i mod 4 of the key (the key as sent, big-endian).</summary>
    private static void Unmask(Span<byte> payload, uint maskKey)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(key, maskKey);
        key[..4].CopyTo(key[4..]);
        var wide = MemoryMarshal.Read<ulong>(key); // the key twice, in memory order: XOR eight bytes at a time
        var i = 0;
        for (; i + 8 <= payload.Length; i += 8)
        {
            var unmasked = MemoryMarshal.Read<ulong>(payload[i..]) ^ wide;
            MemoryMarshal.Write(payload[i..], in unmasked);
        }

        for (; i < payload.Length; i++)
        {
            payload[i] ^= key[i & 3];
        }
    }

    private static void CheckClose(byte[] payload)
    {
        if (payload.Length == 0)
        {
            return;
        }

        if (payload.Length == 1)
        {
            throw new WebSocketProtocolException(WebSocketCloseCode.ProtocolError, "A close frame with a one-byte payload.");
        }

        var code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!WebSocketCloseCode.IsValidFromPeer(code))
        {
            throw new WebSocketProtocolException(WebSocketCloseCode.ProtocolError, $"Close code {code} may not be sent.");
        }

        try
        {
            StrictUtf8.GetCharCount(payload, 2, payload.Length - 2);
        }
        catch (DecoderFallbackException)
        {
            throw new WebSocketProtocolException(WebSocketCloseCode.InvalidPayload, "A close frame's reason is not UTF-8.");
        }
    }
}

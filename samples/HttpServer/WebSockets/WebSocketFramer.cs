using System.Buffers;
using System.Buffers.Binary;
using SocketKit.Codecs;

namespace HttpServer.WebSockets;

/// <summary>
/// Cuts a client's byte stream into WebSocket frames (RFC 6455 section 5) and enforces what a frame header can
/// break: reserved bits (no extension is negotiated), unknown opcodes, unmasked client frames, control frames that
/// are fragmented or longer than 125 bytes, continuation frames out of sequence (1002), and frames or messages over
/// the limits (1009). Each rule is judged at a fixed byte of the header, so splits do not change the answer.
/// </summary>
public sealed class WebSocketFramer(WebSocketLimits limits) : Framer(limits.MaxFramePayload)
{
    private bool _inMessage;      // a fragmented data message has started and not finished
    private long _messageLength;  // its payload so far

    /// <summary>2 bytes of header, 8 of extended length, 4 of mask key.</summary>
    public override int MaxOverheadLength => 14;

    /// <summary>The last frame's opcode, FIN, mask key and where its payload starts: read by the decoder.</summary>
    internal (WebSocketOpcode Opcode, bool IsFinal, uint MaskKey, int PayloadOffset) Current { get; private set; }

    public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (input.Length < 2)
        {
            return FrameStatus.NeedMoreData;
        }

        Span<byte> header = stackalloc byte[14];
        input.Slice(0, Math.Min(input.Length, 14)).CopyTo(header);
        var isFinal = (header[0] & 0x80) != 0;
        var opcode = (WebSocketOpcode)(header[0] & 0x0F);
        if ((header[0] & 0x70) != 0)
        {
            throw Protocol("A reserved bit is set, and no extension was negotiated.");
        }

        var isControl = opcode is WebSocketOpcode.Close or WebSocketOpcode.Ping or WebSocketOpcode.Pong;
        if (!isControl && opcode is not (WebSocketOpcode.Continuation or WebSocketOpcode.Text or WebSocketOpcode.Binary))
        {
            throw Protocol($"Opcode 0x{(byte)opcode:x} is reserved.");
        }

        if (opcode == WebSocketOpcode.Continuation && !_inMessage)
        {
            throw Protocol("A continuation frame without a message to continue.");
        }

        if (opcode is WebSocketOpcode.Text or WebSocketOpcode.Binary && _inMessage)
        {
            throw Protocol("A new message began before the fragmented one finished.");
        }

        var length7 = header[1] & 0x7F;
        if (isControl && (!isFinal || length7 > 125))
        {
            throw Protocol("A control frame is fragmented or longer than 125 bytes.");
        }

        if ((header[1] & 0x80) == 0)
        {
            throw Protocol("A client's frame is not masked.");
        }

        var lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        var headerLength = 2 + lengthBytes + 4;
        if (input.Length < headerLength)
        {
            return FrameStatus.NeedMoreData;
        }

        var length = lengthBytes switch
        {
            2 => BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
            8 => BinaryPrimitives.ReadUInt64BigEndian(header[2..]),
            _ => (ulong)length7,
        };
        if (length > long.MaxValue)
        {
            throw Protocol("The 64-bit payload length has its most significant bit set.");
        }

        if (length > (ulong)MaxFrameLength)
        {
            throw new WebSocketProtocolException(WebSocketCloseCode.MessageTooBig, $"A frame of {length} bytes is over the {MaxFrameLength} allowed.");
        }

        var messageLength = (opcode == WebSocketOpcode.Continuation ? _messageLength : 0) + (long)length;
        if (!isControl && messageLength > limits.MaxMessage)
        {
            throw new WebSocketProtocolException(WebSocketCloseCode.MessageTooBig, $"A message is over the {limits.MaxMessage} bytes allowed.");
        }

        if (input.Length < headerLength + (long)length)
        {
            return FrameStatus.NeedMoreData;
        }

        if (!isControl)
        {
            (_inMessage, _messageLength) = (!isFinal, isFinal ? 0 : messageLength);
        }

        Current = (opcode, isFinal, BinaryPrimitives.ReadUInt32BigEndian(header[(headerLength - 4)..]), headerLength);
        frame = input.Slice(0, headerLength + (long)length);
        input = input.Slice(frame.End);
        return FrameStatus.Frame;
    }

    /// <summary>The encoder writes whole frames, header included.</summary>
    public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output) => output.Write(payload);

    public override void Reset()
    {
        base.Reset();
        (_inMessage, _messageLength) = (false, 0);
    }

    private static WebSocketProtocolException Protocol(string message) => new(WebSocketCloseCode.ProtocolError, message);
}

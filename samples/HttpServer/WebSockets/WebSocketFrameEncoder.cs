using System.Buffers;
using System.Buffers.Binary;
using SocketKit.Codecs;

namespace HttpServer.WebSockets;

/// <summary>Writes a server's frame: FIN and opcode, the shortest length form, no mask (servers do not mask), the payload.</summary>
public sealed class WebSocketFrameEncoder : IMessageEncoder<WebSocketFrame>
{
    public static WebSocketFrameEncoder Instance { get; } = new();

    public void Encode(WebSocketFrame frame, IBufferWriter<byte> output)
    {
        var length = frame.Payload.Length;
        var header = output.GetSpan(10);
        header[0] = (byte)((frame.IsFinal ? 0x80 : 0) | (byte)frame.Opcode);
        int written;
        if (length < 126)
        {
            header[1] = (byte)length;
            written = 2;
        }
        else if (length <= ushort.MaxValue)
        {
            header[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)length);
            written = 4;
        }
        else
        {
            header[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)length);
            written = 10;
        }

        output.Advance(written);
        output.Write(frame.Payload.Span);
    }
}

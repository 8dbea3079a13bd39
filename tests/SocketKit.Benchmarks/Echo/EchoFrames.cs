using System.Buffers;
using System.Buffers.Binary;

namespace SocketKit.Benchmarks.Echo;

/// <summary>The benchmark's wire format: a 4-byte big-endian payload length, then the payload.</summary>
public static class EchoFrames
{
    public const int HeaderLength = 4;

    /// <summary>The length of the complete frames at the front of <paramref name="buffer"/> (0 if none).</summary>
    public static long CompleteFramesLength(in ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        long complete = 0;
        while (reader.TryReadBigEndian(out int length) && reader.Remaining >= length)
        {
            reader.Advance(length);
            complete = reader.Consumed;
        }

        return complete;
    }

    public static byte[] Frame(int payloadLength, int seed)
    {
        var frame = new byte[HeaderLength + payloadLength];
        BinaryPrimitives.WriteInt32BigEndian(frame, payloadLength);
        for (var i = 0; i < payloadLength; i++)
        {
            frame[HeaderLength + i] = (byte)(seed + (i * 31));
        }

        return frame;
    }
}

using System.Buffers;

namespace SocketKit.Codecs;

/// <summary>Turns a message into the bytes of one frame. Pure and thread-safe: one instance serves every connection.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IMessageEncoder<in T>
{
    /// <summary>Writes the encoded message to <paramref name="output"/>.</summary>
    /// <param name="message">The message.</param>
    /// <param name="output">Where its bytes go; the framer adds the header or delimiter.</param>
    void Encode(T message, IBufferWriter<byte> output);
}

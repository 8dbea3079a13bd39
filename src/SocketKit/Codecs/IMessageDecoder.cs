using System.Buffers;

namespace SocketKit.Codecs;

/// <summary>Turns one whole frame into a message. Pure and thread-safe: one instance serves every connection.</summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IMessageDecoder<out T>
{
    /// <summary>Decodes one frame.</summary>
    /// <param name="frame">The frame's bytes; valid only during this call unless the message is consumed before the frame is released.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ProtocolException">The frame is not a valid message (use <see cref="MalformedFrameException"/>).</exception>
    T Decode(in ReadOnlySequence<byte> frame);
}

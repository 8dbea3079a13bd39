using System.Buffers;

namespace SocketKit.Codecs;

/// <summary>
/// A message decoder that also reads what the connection's framer found out while cutting the frame. For protocols
/// whose framing already parses the message: an HTTP/1.1 framer knows whether a frame is a request head or a piece of
/// a body, so its decoder need not guess or parse again. The connection calls this overload whenever a framer exists.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IFramerAwareDecoder<out T> : IMessageDecoder<T>
{
    /// <summary>Decodes one frame just cut by <paramref name="framer"/>.</summary>
    /// <param name="framer">The connection's framer, as it is right after returning this frame.</param>
    /// <param name="frame">The frame's bytes; valid only during this call unless the message is consumed before the frame is released.</param>
    /// <returns>The message.</returns>
    /// <exception cref="ProtocolException">The frame is not a valid message.</exception>
    T Decode(Framer framer, in ReadOnlySequence<byte> frame);
}

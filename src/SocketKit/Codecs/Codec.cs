using System.Text.Json.Serialization.Metadata;

namespace SocketKit.Codecs;

/// <summary>Ready-made codecs for the common cases.</summary>
public static class Codec
{
    /// <summary>Combines a framing with a message codec used both ways.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="framing">How the byte stream is cut into frames.</param>
    /// <param name="messages">How a frame becomes a message and back.</param>
    /// <returns>The codec.</returns>
    public static Codec<T, T> Create<T>(FramerFactory framing, IMessageCodec<T> messages) => new(framing, messages, messages);

    /// <summary>UTF-8 text lines ended by LF or CRLF (LF written).</summary>
    /// <param name="options">Line settings, or <see langword="null"/> for the defaults (64 KiB maximum line).</param>
    /// <returns>The codec.</returns>
    public static Codec<string, string> Lines(LineFramerOptions? options = null) =>
        Create(Framing.Lines(options), Utf8TextCodec.Instance);

    /// <summary>Raw byte frames behind a length field (by default a 4-byte big-endian payload length).</summary>
    /// <param name="options">Length-field settings, or <see langword="null"/> for the defaults (1 MiB maximum frame).</param>
    /// <returns>The codec; decoded frames refer to the input buffer (see <see cref="BytesCodec"/>).</returns>
    public static Codec<System.Buffers.ReadOnlySequence<byte>, System.Buffers.ReadOnlySequence<byte>> LengthPrefixed(LengthFieldFramerOptions? options = null) =>
        Create(Framing.LengthField(options), BytesCodec.Instance);

    /// <summary>JSON documents behind a 4-byte big-endian length field.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="typeInfo">The type's System.Text.Json metadata.</param>
    /// <param name="options">Length-field settings, or <see langword="null"/> for the defaults.</param>
    /// <returns>The codec.</returns>
    public static Codec<T, T> Json<T>(JsonTypeInfo<T> typeInfo, LengthFieldFramerOptions? options = null) =>
        Create(Framing.LengthField(options), new JsonCodec<T>(typeInfo));
}

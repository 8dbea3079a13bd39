using System.Buffers;

namespace SocketKit.Codecs;

/// <summary>
/// The frame's bytes as they are, without a copy. A decoded sequence refers to the connection's
/// input buffer: it is valid until the message callback completes; copy it (<c>ToArray()</c>) to keep it.
/// </summary>
public sealed class BytesCodec : IMessageCodec<ReadOnlySequence<byte>>, IPassThroughEncoder<ReadOnlySequence<byte>>
{
    /// <summary>The shared instance.</summary>
    public static BytesCodec Instance { get; } = new();

    /// <inheritdoc />
    public ReadOnlySequence<byte> Decode(in ReadOnlySequence<byte> frame) => frame;

    /// <inheritdoc />
    public void Encode(ReadOnlySequence<byte> message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var segment in message)
        {
            output.Write(segment.Span);
        }
    }

    /// <summary>A message in one segment is its own encoding: it is framed without a copy in between.</summary>
    bool IPassThroughEncoder<ReadOnlySequence<byte>>.TryGetEncoded(in ReadOnlySequence<byte> message, out ReadOnlySpan<byte> encoded)
    {
        encoded = message.FirstSpan;
        return message.IsSingleSegment;
    }
}

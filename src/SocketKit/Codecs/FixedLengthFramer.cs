using System.Buffers;
using System.Globalization;

namespace SocketKit.Codecs;

/// <summary>Frames by a fixed length: every frame is exactly <see cref="FrameLength"/> bytes.</summary>
/// <remarks>
/// <code>
/// BEFORE DECODE (length 3)             AFTER DECODE
/// +---+----+------+                    +-----+-----+-----+
/// | A | BC | DEFG | HI |   -----&gt;      | ABC | DEF | GHI |
/// +---+----+------+                    +-----+-----+-----+
/// </code>
/// The maximum frame length is the frame length; there is no header, so nothing can be too long.
/// </remarks>
public sealed class FixedLengthFramer : Framer
{
    /// <summary>Creates a framer cutting frames of <paramref name="frameLength"/> bytes.</summary>
    /// <param name="frameLength">The length of every frame.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frameLength"/> is not positive.</exception>
    public FixedLengthFramer(int frameLength)
        : base(frameLength)
    {
    }

    /// <summary>The length of every frame.</summary>
    public int FrameLength => MaxFrameLength;

    /// <inheritdoc />
    public override int MaxOverheadLength => 0;

    /// <inheritdoc />
    public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
    {
        if (input.Length < FrameLength)
        {
            frame = default;
            return FrameStatus.NeedMoreData;
        }

        frame = input.Slice(0, FrameLength);
        input = input.Slice(FrameLength);
        return FrameStatus.Frame;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The payload is not exactly <see cref="FrameLength"/> bytes.</exception>
    public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (payload.Length != FrameLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Payload is {payload.Length} bytes; frames are exactly {FrameLength}."), nameof(payload));
        }

        output.Write(payload);
    }
}

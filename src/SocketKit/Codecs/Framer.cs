using System.Buffers;

namespace SocketKit.Codecs;

/// <summary>
/// Cuts a byte stream into frames and writes frames back out. Pure: no I/O, so it can be
/// unit-tested with plain byte sequences. A framer may hold state between calls (a partial
/// search, a discard in progress), so each connection gets its own from a <see cref="FramerFactory"/>.
/// </summary>
/// <remarks>
/// Implementations must accept input split at any byte boundary, and must either cut a frame,
/// skip bytes, or ask for more data: never loop without progress.
/// </remarks>
public abstract class Framer
{
    /// <summary>Creates a framer.</summary>
    /// <param name="maxFrameLength">The maximum frame length; what it counts is documented by each framer.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxFrameLength"/> is not positive.</exception>
    protected Framer(int maxFrameLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrameLength);
        MaxFrameLength = maxFrameLength;
    }

    /// <summary>The maximum frame length this framer accepts.</summary>
    public int MaxFrameLength { get; }

    /// <summary>
    /// The most bytes of framing (headers, delimiters) that can surround one maximum-length frame
    /// on the wire. Used to size the input pipe so a maximum frame can always complete.
    /// </summary>
    public abstract int MaxOverheadLength { get; }

    /// <summary>Describes the last frame skipped; set when <see cref="Decode"/> returns <see cref="FrameStatus.Skipped"/>.</summary>
    public FrameTooLongException? SkippedFrame { get; protected set; }

    /// <summary>
    /// Tries to cut one frame from the front of <paramref name="input"/>. On <see cref="FrameStatus.Frame"/>
    /// and <see cref="FrameStatus.Skipped"/>, <paramref name="input"/> is advanced past the bytes used;
    /// on <see cref="FrameStatus.NeedMoreData"/> it may also be advanced past bytes being discarded.
    /// </summary>
    /// <param name="input">The unconsumed input; advanced past whatever was consumed.</param>
    /// <param name="frame">The frame, a slice of the input, valid as long as the input is.</param>
    /// <returns>What was found.</returns>
    /// <exception cref="FrameTooLongException">A frame is too long and the policy is <see cref="TooLongFramePolicy.Close"/>.</exception>
    /// <exception cref="MalformedFrameException">The input cannot be framed.</exception>
    public abstract FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame);

    /// <summary>Writes one frame holding <paramref name="payload"/> (with its header or delimiter) to <paramref name="output"/>.</summary>
    /// <param name="payload">The encoded message.</param>
    /// <param name="output">Where the frame is written.</param>
    public abstract void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output);

    /// <summary>Forgets any partial state, as if newly created.</summary>
    public virtual void Reset() => SkippedFrame = null;
}

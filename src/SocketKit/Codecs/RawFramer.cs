using System.Buffers;

namespace SocketKit.Codecs;

/// <summary>
/// No framing: whatever bytes have arrived (up to <see cref="Framer.MaxFrameLength"/>) form one frame.
/// For byte streams such as proxies and file bodies, where message boundaries do not matter.
/// </summary>
/// <remarks>
/// <code>
/// BEFORE DECODE (two reads)            AFTER DECODE (one frame per read, as it came)
/// +------+  +--------+                 +------+  +--------+
/// | "AB" |  | "CDEF" |     -----&gt;      | "AB" |  | "CDEF" |
/// +------+  +--------+                 +------+  +--------+
/// </code>
/// Chunks longer than the maximum are split, never rejected. <see cref="Encode"/> writes the payload as is.
/// </remarks>
public sealed class RawFramer : Framer
{
    /// <summary>Creates a framer with a 64 KiB maximum chunk.</summary>
    public RawFramer()
        : this(64 * 1024)
    {
    }

    /// <summary>Creates a framer whose frames are at most <paramref name="maxChunkLength"/> bytes.</summary>
    /// <param name="maxChunkLength">The largest chunk delivered at once.</param>
    public RawFramer(int maxChunkLength)
        : base(maxChunkLength)
    {
    }

    /// <inheritdoc />
    public override int MaxOverheadLength => 0;

    /// <inheritdoc />
    public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
    {
        if (input.IsEmpty)
        {
            frame = default;
            return FrameStatus.NeedMoreData;
        }

        var length = Math.Min(input.Length, MaxFrameLength);
        frame = input.Slice(0, length);
        input = input.Slice(length);
        return FrameStatus.Frame;
    }

    /// <inheritdoc />
    public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(payload);
    }
}

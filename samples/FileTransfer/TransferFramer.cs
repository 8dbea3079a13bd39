using System.Buffers;
using SocketKit.Codecs;

namespace FileTransfer;

/// <summary>
/// The wire format: control lines (UTF-8, LF-terminated), and after a <c>DATA n</c> line exactly n raw bytes of file
/// body. Lines come out as frames without their LF; a body comes out as chunks of up to 64 KiB, straight from the
/// receive buffer. Bodies are sent with <c>SendFileAsync</c> (the kernel's zero-copy path), never through
/// <see cref="Encode"/>, which writes lines only.
/// </summary>
public sealed class TransferFramer : Framer
{
    public const int MaxLineLength = 1024;
    public const int MaxChunkLength = 64 * 1024;
    private long _bodyLeft;

    public TransferFramer()
        : base(MaxChunkLength)
    {
    }

    public override int MaxOverheadLength => 1; // a line's LF

    public override FrameStatus Decode(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (_bodyLeft > 0)
        {
            if (input.IsEmpty)
            {
                return FrameStatus.NeedMoreData;
            }

            var length = Math.Min(Math.Min(input.Length, _bodyLeft), MaxChunkLength);
            frame = input.Slice(0, length);
            input = input.Slice(length);
            _bodyLeft -= length;
            return FrameStatus.Frame;
        }

        if (input.PositionOf((byte)'\n') is not { } end)
        {
            return input.Length > MaxLineLength
                ? throw new FrameTooLongException(input.Length, MaxLineLength)
                : FrameStatus.NeedMoreData;
        }

        frame = input.Slice(0, end);
        if (frame.Length > MaxLineLength)
        {
            throw new FrameTooLongException(frame.Length, MaxLineLength);
        }

        input = input.Slice(input.GetPosition(1, end));
        if (TransferProtocol.TryParseData(frame, out var bodyLength))
        {
            _bodyLeft = bodyLength;
        }

        return FrameStatus.Frame;
    }

    public override void Encode(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        if (payload.Length > MaxLineLength || payload.Contains((byte)'\n'))
        {
            throw new ArgumentException("A control line is at most 1 KiB, without LF.", nameof(payload));
        }

        var span = output.GetSpan(payload.Length + 1);
        payload.CopyTo(span);
        span[payload.Length] = (byte)'\n';
        output.Advance(payload.Length + 1);
    }

    public override void Reset()
    {
        _bodyLeft = 0;
        base.Reset();
    }
}

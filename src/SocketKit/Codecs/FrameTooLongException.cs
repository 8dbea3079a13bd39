using System.Globalization;

namespace SocketKit.Codecs;

/// <summary>A frame is longer than the framer's maximum frame length.</summary>
public sealed class FrameTooLongException : ProtocolException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="frameLength">The frame's length as announced or seen so far, or -1 if unknown.</param>
    /// <param name="maxFrameLength">The framer's maximum.</param>
    public FrameTooLongException(long frameLength, long maxFrameLength)
        : base(frameLength >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"Frame of {frameLength} bytes exceeds the maximum frame length of {maxFrameLength} bytes.")
            : string.Create(CultureInfo.InvariantCulture, $"Frame exceeds the maximum frame length of {maxFrameLength} bytes."))
    {
        FrameLength = frameLength;
        MaxFrameLength = maxFrameLength;
    }

    /// <summary>The frame's length as announced by its header or seen so far; -1 if unknown.</summary>
    public long FrameLength { get; }

    /// <summary>The framer's maximum frame length.</summary>
    public long MaxFrameLength { get; }
}

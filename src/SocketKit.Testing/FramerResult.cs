using SocketKit.Codecs;

namespace SocketKit.Testing;

/// <summary>What a connection would have made of some input: the frames it delivered, the ones it skipped, and how it ended.</summary>
public sealed class FramerResult
{
    internal FramerResult(IReadOnlyList<byte[]> frames, IReadOnlyList<FrameTooLongException> skipped, Exception? error, long unconsumed)
    {
        Frames = frames;
        Skipped = skipped;
        Error = error;
        Unconsumed = unconsumed;
    }

    /// <summary>The frames delivered, in order (a copy of each).</summary>
    public IReadOnlyList<byte[]> Frames { get; }

    /// <summary>Too-long frames the framer discarded (reported to <c>OnError</c>; the connection carried on).</summary>
    public IReadOnlyList<FrameTooLongException> Skipped { get; }

    /// <summary>
    /// What closed the connection as a <see cref="Connections.CloseReason.ProtocolError"/>: the framer's exception (anything
    /// but a <see cref="ProtocolException"/> wrapped in a <see cref="MalformedFrameException"/>), a frame that consumed no
    /// byte, or input the framer left unconsumed beyond a maximum frame. <see langword="null"/> if none did.
    /// </summary>
    public Exception? Error { get; }

    /// <summary>Bytes left unconsumed when the input ended (or when the error happened).</summary>
    public long Unconsumed { get; }

    /// <summary>
    /// Whether the input ended inside a frame: no error, but bytes were left. Over a connection the peer's FIN then
    /// closes it (<see cref="Connections.CloseReason.PeerClose"/> with a <see cref="MalformedFrameException"/>) and those bytes are dropped.
    /// </summary>
    public bool EndedInsideFrame => Error is null && Unconsumed > 0;
}

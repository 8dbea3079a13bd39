namespace SocketKit.Codecs;

/// <summary>What a framer does with a frame longer than its maximum.</summary>
public enum TooLongFramePolicy
{
    /// <summary>Throw <see cref="FrameTooLongException"/>: the connection closes with <c>ProtocolError</c>. The default.</summary>
    Close,

    /// <summary>
    /// Skip the too-long frame's bytes without buffering them, report it as a non-fatal error
    /// (<see cref="FrameStatus.Skipped"/>), and carry on with the next frame.
    /// Offered by the length-field and delimiter (and line) framers, whose next frame boundary can be found.
    /// </summary>
    Discard,
}

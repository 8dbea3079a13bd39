namespace SocketKit.Codecs;

/// <summary>What one call to <see cref="Framer.Decode"/> found.</summary>
public enum FrameStatus
{
    /// <summary>No complete frame yet; call again when more bytes have arrived.</summary>
    NeedMoreData,

    /// <summary>A complete frame was cut from the input.</summary>
    Frame,

    /// <summary>
    /// A too-long frame was discarded (discard policy); <see cref="Framer.SkippedFrame"/> describes it.
    /// The connection reports it as a non-fatal error and carries on with the next frame.
    /// </summary>
    Skipped,
}

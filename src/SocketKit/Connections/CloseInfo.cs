namespace SocketKit.Connections;

/// <summary>How a connection closed: the first close reason recorded, whether the peer caused it, and the error if any.</summary>
public sealed class CloseInfo
{
    /// <summary>Creates close information.</summary>
    /// <param name="reason">Why the connection closed.</param>
    /// <param name="exception">The error behind it, if any.</param>
    public CloseInfo(CloseReason reason, Exception? exception = null)
    {
        Reason = reason;
        Exception = exception;
    }

    /// <summary>Why the connection closed.</summary>
    public CloseReason Reason { get; }

    /// <summary>The error behind the close (a protocol error, a handler's exception, a socket error), if any.</summary>
    public Exception? Exception { get; }

    /// <summary>
    /// Whether the peer caused the close: it closed or reset, sent bad input, or was too slow
    /// to send or to read (<see cref="CloseReason.PeerClose"/>, <see cref="CloseReason.PeerReset"/>,
    /// <see cref="CloseReason.ProtocolError"/>, <see cref="CloseReason.ReceiveTimeout"/>,
    /// <see cref="CloseReason.WriteTimeout"/>, <see cref="CloseReason.SlowConsumer"/>).
    /// </summary>
    public bool IsPeerCaused => Reason is CloseReason.PeerClose or CloseReason.PeerReset or CloseReason.ProtocolError
        or CloseReason.ReceiveTimeout or CloseReason.WriteTimeout or CloseReason.SlowConsumer;

    /// <summary>
    /// Whether the close is orderly (FIN, unsent data flushed) rather than a reset. A peer that stalls a frame or never
    /// reads is reset: waiting for it to finish would hand it the time it is trying to take.
    /// </summary>
    internal bool IsGraceful => Reason is not (CloseReason.LocalAbort or CloseReason.PeerReset or CloseReason.WriteTimeout
        or CloseReason.ReceiveTimeout or CloseReason.SlowConsumer or CloseReason.TransportError);

    /// <summary>Formats as the reason, followed by the error's type and message if there is one.</summary>
    public override string ToString() => Exception is null ? Reason.ToString() : $"{Reason} ({Exception.GetType().Name}: {Exception.Message})";
}

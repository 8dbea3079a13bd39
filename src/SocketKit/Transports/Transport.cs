using System.IO.Pipelines;

namespace SocketKit.Transports;

/// <summary>
/// Moves bytes between a peer and two pipes: <see cref="Input"/> (from the peer) and <see cref="Output"/> (to it).
/// Knows sockets, not messages.
/// </summary>
internal abstract class Transport
{
    /// <summary>Bytes received from the peer. Read by the connection's message loop.</summary>
    public abstract PipeReader Input { get; }

    /// <summary>Bytes to send. Written by the connection's send path; completed to start a graceful shutdown.</summary>
    public abstract PipeWriter Output { get; }

    /// <summary>
    /// Whether each read of <see cref="Input"/> is exactly one datagram (a UDP session): the connection then decodes each
    /// read as one message, with no framer, and a message that does not decode is dropped rather than fatal.
    /// </summary>
    public virtual bool IsDatagram => false;

    /// <summary>What the TLS handshake agreed on; <see langword="null"/> for a plain transport.</summary>
    public virtual Tls.TlsConnectionInfo? Tls => null;

    /// <summary>Whether <see cref="SendFileAsync"/> sends from the kernel; otherwise the connection copies the file through <see cref="Output"/>.</summary>
    public virtual bool CanSendFile => false;

    /// <summary>
    /// Sends a region of a file straight from the kernel (no copy through user space). Called only when
    /// <see cref="Output"/> holds nothing and nothing else writes to it (the connection holds its send lock), so the bytes
    /// follow everything sent before them. Returns when the OS has taken them.
    /// </summary>
    public virtual Task SendFileAsync(FileStream file, long offset, int count) => throw new NotSupportedException();

    /// <summary>Starts the receive and send loops.</summary>
    /// <remarks>
    /// A transport may be started before the layer that will own it exists, so that something can read from
    /// <see cref="Input"/> first (a header before TLS and the codec, a handshake); starting it again only hands its
    /// events to the new observer, and whatever is unread stays in the pipe for it.
    /// </remarks>
    public abstract void Start(ITransportObserver observer);

    /// <summary>Resets the connection now (RST), dropping unsent data. Safe from any thread, idempotent.</summary>
    public abstract void Abort();

    /// <summary>
    /// Ends the transport. Graceful (after <see cref="Output"/> was completed): send what is buffered, FIN, then read
    /// and discard until the peer's FIN or <paramref name="drainTimeout"/>, resetting at the deadline.
    /// Otherwise reset at once. Then release the socket and wait for both loops.
    /// </summary>
    public abstract Task ShutdownAsync(bool graceful, TimeSpan drainTimeout, TimeProvider timeProvider);
}

using System.Net.Sockets;

namespace SocketKit.Transports;

/// <summary>Socket error classification in one place, with the platform quirks.</summary>
internal static class SocketErrors
{
    /// <summary>The peer reset the connection (RST), or the connection died under us.</summary>
    public static bool IsReset(SocketError error) => error is SocketError.ConnectionReset
        or SocketError.ConnectionAborted   // Windows reports a reset during send this way
        or SocketError.Shutdown            // sending after the peer's RST on Linux (EPIPE)
        or SocketError.NetworkReset;

    /// <summary>Our own close or dispose interrupted the operation: not an error.</summary>
    public static bool IsLocalAbort(SocketError error) => error is SocketError.OperationAborted
        or SocketError.Interrupted
        or SocketError.NotSocket;          // the socket was disposed while an operation was queued

    /// <summary>
    /// UDP: the OS reports an ICMP error (port unreachable, or on Windows a reset) for an earlier datagram on a later
    /// receive or send. Non-fatal: the socket keeps working.
    /// </summary>
    public static bool IsIcmpError(SocketError error) => error is SocketError.ConnectionRefused
        or SocketError.ConnectionReset
        or SocketError.HostUnreachable
        or SocketError.NetworkUnreachable;

    /// <summary>Transient accept failures: back off and keep accepting.</summary>
    public static bool IsTransientAcceptError(SocketError error) => error is SocketError.TooManyOpenSockets
        or SocketError.NoBufferSpaceAvailable
        or SocketError.ConnectionReset     // the client gave up before we accepted it
        or SocketError.ConnectionAborted
        or SocketError.TryAgain
        or SocketError.WouldBlock
        or SocketError.Interrupted;
}

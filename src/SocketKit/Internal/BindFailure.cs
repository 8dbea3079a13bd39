using System.Net;
using System.Net.Sockets;

namespace SocketKit.Internal;

/// <summary>
/// A bind that failed, told so an operator can act on it: the runtime's own message ("Address already in use") names
/// neither the endpoint nor the protocol, and a server usually binds several.
/// </summary>
internal static class BindFailure
{
    /// <summary>A <see cref="SocketException"/> with the same error code whose message names what could not be bound and why.</summary>
    public static SocketException Named(SocketException error, string protocol, EndPoint endPoint)
    {
        var why = error.SocketErrorCode switch
        {
            SocketError.AddressAlreadyInUse => "the address is already in use: another process (or another server in this one) is bound to it. Choose another port, or stop the other",
            SocketError.AddressNotAvailable => "the address is not one of this machine's",
            SocketError.AccessDenied => "permission denied (ports below 1024 need the privilege to bind them)",
            _ => error.Message,
        };
        return new SocketException((int)error.SocketErrorCode, $"Cannot bind {protocol} {endPoint}: {why}.");
    }
}

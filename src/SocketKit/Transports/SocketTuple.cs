using System.Net;
using System.Net.Sockets;

namespace SocketKit.Transports;

/// <summary>The five-tuple of a connected stream socket: TCP over IPv4 or IPv6, or a Unix domain socket's two paths.</summary>
internal static class SocketTuple
{
    /// <exception cref="NotSupportedException">The socket's endpoints are neither IP nor Unix domain.</exception>
    public static FiveTuple Of(Socket socket) => (socket.LocalEndPoint, socket.RemoteEndPoint) switch
    {
        (IPEndPoint local, IPEndPoint remote) => new FiveTuple(TransportProtocol.Tcp, local, remote),
        (UnixDomainSocketEndPoint local, UnixDomainSocketEndPoint remote) => new FiveTuple(PathOf(local), PathOf(remote)),
        (UnixDomainSocketEndPoint local, null) => new FiveTuple(PathOf(local), string.Empty),
        var (local, remote) => throw new NotSupportedException($"No five-tuple for a socket from {local} to {remote}."),
    };

    // An unnamed socket's endpoint prints as an empty string (or a NUL for the abstract namespace on Linux).
    private static string PathOf(UnixDomainSocketEndPoint endPoint) => endPoint.ToString() is { } path && path.Trim('\0').Length > 0 ? path : string.Empty;
}

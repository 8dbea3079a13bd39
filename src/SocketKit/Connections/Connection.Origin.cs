using SocketKit.Proxy;

namespace SocketKit.Connections;

// Where the connection came from, beyond its five-tuple: a load balancer's PROXY header, a Unix domain peer's credentials.
public sealed partial class Connection<TIn, TOut>
{
    /// <summary>
    /// The PROXY protocol header the load balancer sent (with its TLVs: ALPN, authority, TLS details), or
    /// <see langword="null"/> when the server does not read one (<c>TcpServerOptions.ProxyProtocol</c>).
    /// </summary>
    public ProxyHeader? Proxy => Origin?.ProxyHeader;

    /// <summary>
    /// The five-tuple of the TCP connection from the load balancer itself, when a PROXY header was read; <see cref="Tuple"/>
    /// is then the client's, as the header reports it (or this one again for a LOCAL or UNKNOWN header).
    /// </summary>
    public FiveTuple? ProxyTuple => Origin?.ProxyTuple;

    /// <summary>
    /// For a Unix domain socket on Linux, the peer's process, user and group ids as the kernel recorded them (SO_PEERCRED):
    /// a server can trust them to decide what a local client may do. <see langword="null"/> for TCP, and on other systems.
    /// </summary>
    public UnixPeerCredentials? PeerCredentials => Origin?.Peer;

    /// <summary>Set by whoever opened the connection, when it knows more than the five-tuple.</summary>
    internal ConnectionOrigin? Origin { get; init; }
}

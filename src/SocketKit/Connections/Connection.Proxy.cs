using SocketKit.Proxy;

namespace SocketKit.Connections;

/// <summary>What a load balancer in front said about the connection (the PROXY protocol).</summary>
public sealed partial class Connection<TIn, TOut>
{
    /// <summary>
    /// The PROXY protocol header the load balancer sent (with its TLVs: ALPN, authority, TLS details), or
    /// <see langword="null"/> when the server does not read one (<c>TcpServerOptions.ProxyProtocol</c>).
    /// </summary>
    public ProxyHeader? Proxy => ProxyOrigin?.Header;

    /// <summary>
    /// The five-tuple of the TCP connection from the load balancer itself, when a PROXY header was read; <see cref="Tuple"/>
    /// is then the client's, as the header reports it (or this one again for a LOCAL or UNKNOWN header).
    /// </summary>
    public FiveTuple? ProxyTuple => ProxyOrigin?.ProxyTuple;

    /// <summary>Set by the server that read a PROXY header for this connection.</summary>
    internal ProxiedOrigin? ProxyOrigin { get; init; }
}

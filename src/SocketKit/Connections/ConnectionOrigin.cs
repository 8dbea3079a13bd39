using SocketKit.Proxy;

namespace SocketKit.Connections;

/// <summary>
/// What is known about where a connection came from beyond its five-tuple: the PROXY header a load balancer sent (and
/// the load balancer's own five-tuple), or a Unix domain peer's credentials. One optional reference on the connection,
/// so a plain TCP connection pays a single null field for all of it.
/// </summary>
internal sealed record ConnectionOrigin(ProxyHeader? ProxyHeader = null, FiveTuple? ProxyTuple = null, UnixPeerCredentials? Peer = null);

using SocketKit.Proxy;

namespace SocketKit.Connections;

/// <summary>A connection that came through a proxy: the PROXY header it sent, and the proxy's own five-tuple.</summary>
internal sealed record ProxiedOrigin(ProxyHeader Header, FiveTuple ProxyTuple);

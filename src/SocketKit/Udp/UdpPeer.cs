using System.Net;

namespace SocketKit.Udp;

/// <summary>A remote UDP peer as <see cref="UdpPeerCache"/> knows it: built once, reused for each of its datagrams.</summary>
internal sealed record UdpPeer(FiveTuple Tuple, IPEndPoint EndPoint);

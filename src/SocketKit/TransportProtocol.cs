namespace SocketKit;

/// <summary>The transport protocol of a flow, the first element of its <see cref="FiveTuple"/>.</summary>
public enum TransportProtocol
{
    /// <summary>A TCP connection (with or without TLS on top).</summary>
    Tcp = 6,

    /// <summary>UDP datagrams exchanged with one remote peer.</summary>
    Udp = 17,

    /// <summary>An in-memory connection (tests); its addresses are placeholders.</summary>
    InMemory = 0,

    /// <summary>A Unix domain stream socket: the five-tuple carries paths (<see cref="FiveTuple.LocalPath"/>, <see cref="FiveTuple.RemotePath"/>) instead of addresses and ports.</summary>
    Unix = 1,
}

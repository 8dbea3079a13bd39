using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace SocketKit.Udp;

/// <summary>
/// Remembers each remote peer's five-tuple and endpoint, keyed on the raw address bytes a receive fills in, so a
/// datagram from a known peer allocates nothing. Also maps endpoints back to socket addresses for sends. Bounded:
/// when full it starts over (peers are re-learned on their next datagram).
/// </summary>
internal sealed class UdpPeerCache
{
    private readonly Dictionary<SocketAddress, UdpPeer> _byAddress = new();     // receive loop only
    private readonly ConcurrentDictionary<IPEndPoint, SocketAddress> _bySender = new(); // any sender, any thread: lock-free lookups
    private readonly IPEndPoint _local;
    private readonly AddressFamily _socketFamily;
    private readonly int _capacity;

    public UdpPeerCache(IPEndPoint local, AddressFamily socketFamily, int capacity)
    {
        _local = local;
        _socketFamily = socketFamily;
        _capacity = capacity;
    }

    /// <summary>The peer a receive came from. Called by the receive loop only.</summary>
    public UdpPeer FromReceived(SocketAddress received)
    {
        if (_byAddress.TryGetValue(received, out var peer))
        {
            return peer;
        }

        if (_byAddress.Count >= _capacity)
        {
            _byAddress.Clear();
        }

        var key = new SocketAddress(received.Family, received.Size);
        received.Buffer.Span[..received.Size].CopyTo(key.Buffer.Span);
        var remote = (IPEndPoint)_local.Create(key);
        peer = new UdpPeer(new FiveTuple(TransportProtocol.Udp, _local, remote), remote);
        _byAddress[key] = peer;
        Remember(remote, key);
        return peer;
    }

    /// <summary>The socket address to send to <paramref name="remote"/>; serialised once per peer.</summary>
    public SocketAddress ToSend(IPEndPoint remote)
    {
        if (_bySender.TryGetValue(remote, out var known))
        {
            return known;
        }

        var target = remote.AddressFamily == AddressFamily.InterNetwork && _socketFamily == AddressFamily.InterNetworkV6
            ? new IPEndPoint(remote.Address.MapToIPv6(), remote.Port) // a dual-mode socket sends IPv4 as mapped IPv6
            : remote;
        var address = target.Serialize();
        Remember(remote, address);
        return address;
    }

    private void Remember(IPEndPoint remote, SocketAddress address)
    {
        if (_bySender.Count >= _capacity) // a new peer only: Count takes every lock
        {
            _bySender.Clear();
        }

        _bySender[remote] = address;
    }
}


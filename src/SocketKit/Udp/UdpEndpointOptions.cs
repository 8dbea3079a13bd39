using System.Net;
using System.Net.Sockets;

namespace SocketKit.Udp;

/// <summary>
/// Settings for a <see cref="UdpEndpoint{TIn, TOut}"/>. Every default is safe; <see cref="Validate"/> runs at start
/// and names any bad option.
/// </summary>
public sealed class UdpEndpointOptions
{
    /// <summary>The largest IPv4 UDP payload: 65,535 − 8 (UDP header) − 20 (IPv4 header).</summary>
    public const int MaxIPv4DatagramSize = 65_507;

    /// <summary>The largest IPv6 UDP payload without jumbograms: 65,535 − 8 (UDP header).</summary>
    public const int MaxIPv6DatagramSize = 65_527;

    /// <summary>
    /// Where to bind. Defaults to <see langword="null"/>: any address, a port chosen by the OS, in the family of
    /// <see cref="RemoteEndPoint"/> (IPv4 if there is none). Bind <see cref="IPAddress.IPv6Any"/> with
    /// <see cref="DualMode"/> to serve both families on one socket.
    /// </summary>
    public IPEndPoint? LocalEndPoint { get; set; }

    /// <summary>
    /// The one peer of a connected endpoint: only its datagrams are received, <c>SendAsync</c> sends to it, and the OS
    /// reports ICMP errors (port unreachable) for it. Defaults to <see langword="null"/> (unconnected: any peer).
    /// </summary>
    public IPEndPoint? RemoteEndPoint { get; set; }

    /// <summary>Whether an IPv6 endpoint also sends and receives IPv4 (as IPv4-mapped addresses). Defaults to <see langword="true"/>.</summary>
    public bool DualMode { get; set; } = true;

    /// <summary>
    /// The largest datagram received or sent, in bytes. A larger incoming datagram is dropped and reported as
    /// truncated (never delivered cut short); a larger message is refused by <c>SendToAsync</c>. Defaults to
    /// <see langword="null"/>: <see cref="MaxIPv4DatagramSize"/> for IPv4, <see cref="MaxIPv6DatagramSize"/> for IPv6.
    /// </summary>
    public int? MaxDatagramSize { get; set; }

    /// <summary>Whether sends to a broadcast address are allowed (SO_BROADCAST). Defaults to <see langword="false"/>: such a send fails.</summary>
    public bool EnableBroadcast { get; set; }

    /// <summary>How many routers a multicast datagram may cross (IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS). Defaults to <see langword="null"/>: the OS default, 1 (this network only).</summary>
    public int? MulticastTimeToLive { get; set; }

    /// <summary>Whether this host receives its own multicast datagrams (IP_MULTICAST_LOOP). Defaults to <see langword="null"/>: the OS default (on).</summary>
    public bool? MulticastLoopback { get; set; }

    /// <summary>The local IPv4 address of the interface multicast datagrams are sent from (IP_MULTICAST_IF). Defaults to <see langword="null"/>: chosen by the routing table.</summary>
    public IPAddress? MulticastInterface { get; set; }

    /// <summary>The index of the interface IPv6 multicast datagrams are sent from (IPV6_MULTICAST_IF). Defaults to <see langword="null"/>: chosen by the routing table.</summary>
    public int? MulticastInterfaceIndex { get; set; }

    /// <summary>The OS receive buffer (SO_RCVBUF) in bytes: how many datagrams queue while the handler is busy. Defaults to <see langword="null"/>: the OS default.</summary>
    public int? ReceiveBufferSize { get; set; }

    /// <summary>The OS send buffer (SO_SNDBUF) in bytes. Defaults to <see langword="null"/>: the OS default.</summary>
    public int? SendBufferSize { get; set; }

    /// <summary>
    /// How many remote peers' five-tuples are remembered so a known peer's datagram costs no allocation. When full the
    /// cache starts over. Defaults to 4,096.
    /// </summary>
    public int MaxCachedPeers { get; set; } = 4096;

    /// <summary>Called with the socket after every option above is applied and before it is bound, for anything not covered here.</summary>
    public Action<Socket>? ConfigureSocket { get; set; }

    /// <summary>Checks the options, throwing an exception that names the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        var family = Family;
        if (LocalEndPoint is { } local && RemoteEndPoint is { } remote && local.AddressFamily != remote.AddressFamily
            && !(local.AddressFamily == AddressFamily.InterNetworkV6 && DualMode))
        {
            throw new ArgumentException($"{nameof(RemoteEndPoint)} ({remote.AddressFamily}) cannot be reached from {nameof(LocalEndPoint)} ({local.AddressFamily}).", nameof(RemoteEndPoint));
        }

        if (MaxDatagramSize is { } size && (size < 1 || size > LargestDatagram(family)))
        {
            throw new ArgumentException(FormattableString.Invariant($"{nameof(MaxDatagramSize)} must be between 1 and {LargestDatagram(family)} for {family}."), nameof(MaxDatagramSize));
        }

        if (MulticastTimeToLive is { } ttl && (ttl < 0 || ttl > 255))
        {
            throw new ArgumentException($"{nameof(MulticastTimeToLive)} must be between 0 and 255.", nameof(MulticastTimeToLive));
        }

        if (MulticastInterface is { } nic && nic.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{nameof(MulticastInterface)} must be an IPv4 address; use {nameof(MulticastInterfaceIndex)} for IPv6.", nameof(MulticastInterface));
        }

        if (MulticastInterfaceIndex is < 0)
        {
            throw new ArgumentException($"{nameof(MulticastInterfaceIndex)} must not be negative.", nameof(MulticastInterfaceIndex));
        }

        if (ReceiveBufferSize is <= 0 || SendBufferSize is <= 0)
        {
            throw new ArgumentException("Socket buffer sizes must be positive.", ReceiveBufferSize is <= 0 ? nameof(ReceiveBufferSize) : nameof(SendBufferSize));
        }

        if (MaxCachedPeers < 1)
        {
            throw new ArgumentException($"{nameof(MaxCachedPeers)} must be at least 1.", nameof(MaxCachedPeers));
        }
    }

    /// <summary>The address family of the socket.</summary>
    internal AddressFamily Family => LocalEndPoint?.AddressFamily ?? RemoteEndPoint?.AddressFamily ?? AddressFamily.InterNetwork;

    /// <summary>Where the socket binds.</summary>
    internal IPEndPoint BindEndPoint => LocalEndPoint ?? new IPEndPoint(Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);

    /// <summary>The datagram size limit in effect.</summary>
    internal int EffectiveMaxDatagramSize => MaxDatagramSize ?? LargestDatagram(Family);

    private static int LargestDatagram(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? MaxIPv6DatagramSize : MaxIPv4DatagramSize;
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SocketKit;

/// <summary>
/// The identity of a flow: protocol, local address and port, remote address and port.
/// Immutable; holds its own copies of the addresses (IPv4-mapped IPv6 addresses from
/// dual-mode sockets are normalised to IPv4, an IPv6 scope id is kept) and a precomputed hash.
/// Prints as <c>tcp 127.0.0.1:5000 &lt;-&gt; 127.0.0.1:53122</c>.
/// </summary>
/// <remarks>
/// Five-tuples recur (port reuse, a UDP peer that expired and came back), so use
/// <see cref="Connections.Connection{TIn, TOut}.Id"/> where a process-unique key is needed.
/// </remarks>
public readonly struct FiveTuple : IEquatable<FiveTuple>
{
    private readonly IPAddress? _localAddress;
    private readonly IPAddress? _remoteAddress;
    private readonly int _hash;

    /// <summary>Creates a five-tuple from its parts.</summary>
    /// <param name="protocol">The transport protocol.</param>
    /// <param name="local">The local endpoint.</param>
    /// <param name="remote">The remote endpoint.</param>
    /// <exception cref="ArgumentNullException"><paramref name="local"/> or <paramref name="remote"/> is null.</exception>
    public FiveTuple(TransportProtocol protocol, IPEndPoint local, IPEndPoint remote)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        Protocol = protocol;
        _localAddress = Normalize(local.Address);
        _remoteAddress = Normalize(remote.Address);
        LocalPort = local.Port;
        RemotePort = remote.Port;
        _hash = HashCode.Combine(protocol, _localAddress, LocalPort, _remoteAddress, RemotePort);
    }

    /// <summary>The transport protocol.</summary>
    public TransportProtocol Protocol { get; }

    /// <summary>The local address (IPv4-mapped addresses normalised to IPv4).</summary>
    public IPAddress LocalAddress => _localAddress ?? IPAddress.None;

    /// <summary>The local port.</summary>
    public int LocalPort { get; }

    /// <summary>The remote address (IPv4-mapped addresses normalised to IPv4).</summary>
    public IPAddress RemoteAddress => _remoteAddress ?? IPAddress.None;

    /// <summary>The remote port.</summary>
    public int RemotePort { get; }

    /// <summary>A new <see cref="IPEndPoint"/> for the local side.</summary>
    public IPEndPoint LocalEndPoint => new(LocalAddress, LocalPort);

    /// <summary>A new <see cref="IPEndPoint"/> for the remote side.</summary>
    public IPEndPoint RemoteEndPoint => new(RemoteAddress, RemotePort);

    /// <summary>Compares two five-tuples for equality.</summary>
    public static bool operator ==(FiveTuple left, FiveTuple right) => left.Equals(right);

    /// <summary>Compares two five-tuples for inequality.</summary>
    public static bool operator !=(FiveTuple left, FiveTuple right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(FiveTuple other) =>
        _hash == other._hash
        && Protocol == other.Protocol
        && LocalPort == other.LocalPort
        && RemotePort == other.RemotePort
        && Equals(_localAddress, other._localAddress)
        && Equals(_remoteAddress, other._remoteAddress);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FiveTuple other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hash;

    /// <summary>Formats as <c>tcp 127.0.0.1:5000 &lt;-&gt; 127.0.0.1:53122</c>; IPv6 addresses in brackets.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{ProtocolName(Protocol)} {Format(LocalAddress, LocalPort)} <-> {Format(RemoteAddress, RemotePort)}");

    private static string ProtocolName(TransportProtocol protocol) => protocol switch
    {
        TransportProtocol.Tcp => "tcp",
        TransportProtocol.Udp => "udp",
        TransportProtocol.InMemory => "mem",
        _ => protocol.ToString().ToLowerInvariant(),
    };

    private static string Format(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"[{address}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{address}:{port}");

    // A private copy, so a caller mutating ScopeId on its IPAddress cannot change this tuple.
    private static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? new IPAddress(address.GetAddressBytes(), address.ScopeId)
            : new IPAddress(address.GetAddressBytes());
    }
}

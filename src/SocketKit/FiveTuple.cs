using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SocketKit;

/// <summary>
/// The identity of a flow: protocol, local address and port, remote address and port.
/// Immutable; holds its own copies of the addresses (IPv4-mapped IPv6 addresses from
/// dual-mode sockets are normalised to IPv4, an IPv6 scope id is kept) and a precomputed hash.
/// Prints as <c>tcp 127.0.0.1:5000 &lt;-&gt; 127.0.0.1:53122</c>. A flow over a Unix domain socket carries its two
/// paths instead (<see cref="LocalPath"/>, <see cref="RemotePath"/>; an unnamed client socket has an empty path) and
/// prints as <c>unix /run/app.sock &lt;-&gt; (unnamed)</c>.
/// </summary>
/// <remarks>
/// Five-tuples recur (port reuse, a UDP peer that expired and came back), so use
/// <see cref="Connections.Connection{TIn, TOut}.Id"/> where a process-unique key is needed.
/// </remarks>
public readonly struct FiveTuple : IEquatable<FiveTuple>
{
    private readonly object? _local;  // an IPAddress, or a Unix domain socket's path (one field for both keeps the tuple small)
    private readonly object? _remote;
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
        _local = Normalize(local.Address);
        _remote = Normalize(remote.Address);
        LocalPort = local.Port;
        RemotePort = remote.Port;
        _hash = HashCode.Combine(protocol, _local, LocalPort, _remote, RemotePort);
    }

    /// <summary>Creates the five-tuple of a Unix domain socket flow (<see cref="TransportProtocol.Unix"/>); ports are 0.</summary>
    /// <param name="localPath">The local socket's path; empty for an unnamed socket.</param>
    /// <param name="remotePath">The peer socket's path; empty for an unnamed socket (a connecting client usually is).</param>
    /// <exception cref="ArgumentNullException">A path is null.</exception>
    public FiveTuple(string localPath, string remotePath)
    {
        ArgumentNullException.ThrowIfNull(localPath);
        ArgumentNullException.ThrowIfNull(remotePath);
        Protocol = TransportProtocol.Unix;
        _local = localPath;
        _remote = remotePath;
        _hash = HashCode.Combine(Protocol, StringComparer.Ordinal.GetHashCode(localPath), StringComparer.Ordinal.GetHashCode(remotePath));
    }

    /// <summary>The transport protocol.</summary>
    public TransportProtocol Protocol { get; }

    /// <summary>The local address (IPv4-mapped addresses normalised to IPv4); <see cref="IPAddress.None"/> for a Unix domain socket.</summary>
    public IPAddress LocalAddress => _local as IPAddress ?? IPAddress.None;

    /// <summary>The local port.</summary>
    public int LocalPort { get; }

    /// <summary>The remote address (IPv4-mapped addresses normalised to IPv4); <see cref="IPAddress.None"/> for a Unix domain socket.</summary>
    public IPAddress RemoteAddress => _remote as IPAddress ?? IPAddress.None;

    /// <summary>The remote port.</summary>
    public int RemotePort { get; }

    /// <summary>The local socket's path for a Unix domain socket (empty if unnamed); <see langword="null"/> for an IP flow.</summary>
    public string? LocalPath => _local as string;

    /// <summary>The peer socket's path for a Unix domain socket (empty if unnamed); <see langword="null"/> for an IP flow.</summary>
    public string? RemotePath => _remote as string;

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
        && Equals(_local, other._local)
        && Equals(_remote, other._remote);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is FiveTuple other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hash;

    /// <summary>Formats as <c>tcp 127.0.0.1:5000 &lt;-&gt; 127.0.0.1:53122</c>; IPv6 addresses in brackets.</summary>
    public override string ToString() => Protocol == TransportProtocol.Unix
        ? $"unix {FormatPath(LocalPath!)} <-> {FormatPath(RemotePath!)}"
        : string.Create(CultureInfo.InvariantCulture, $"{ProtocolName(Protocol)} {Format(LocalAddress, LocalPort)} <-> {Format(RemoteAddress, RemotePort)}");

    private static string FormatPath(string path) => path.Length == 0 ? "(unnamed)" : path;

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

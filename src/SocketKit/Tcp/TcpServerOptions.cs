using System.Net;
using System.Net.Sockets;
using SocketKit.Connections;

namespace SocketKit.Tcp;

/// <summary>Settings of a <see cref="TcpServer{TIn, TOut}"/>. Defaults are safe for a public server.</summary>
public sealed class TcpServerOptions
{
    private bool _reusePort; // read by Validate on every platform; the property itself is Linux-only

    /// <summary>
    /// The endpoints to listen on; port 0 picks a free port (see <see cref="TcpServer{TIn, TOut}.EndPoints"/>).
    /// <see cref="IPAddress.IPv6Any"/> listens dual-mode (IPv4 too) when <see cref="DualMode"/> is on. Required.
    /// </summary>
    public IList<IPEndPoint> EndPoints { get; } = new List<IPEndPoint>();

    /// <summary>
    /// Unix domain socket paths to listen on as well (or instead), for local clients: the same codecs, handlers, limits and
    /// TLS, a five-tuple that prints the paths, and <see cref="Connection{TIn, TOut}.PeerCredentials"/> on Linux. A socket
    /// file left behind by a server that died is replaced at start; a live server on the path, or a file that is not a
    /// socket, fails the start. The file is removed at stop. Supported on Linux, macOS and Windows 10 (1803) and later.
    /// </summary>
    public IList<UnixDomainSocketEndPoint> UnixEndPoints { get; } = new List<UnixDomainSocketEndPoint>();

    /// <summary>
    /// The permissions given to each <see cref="UnixEndPoints"/> socket file once bound (for example
    /// <c>UserRead | UserWrite | GroupRead | GroupWrite</c> to let a group connect). Defaults to <see langword="null"/>:
    /// what the process's umask leaves. Not supported on Windows.
    /// </summary>
    public UnixFileMode? UnixSocketFileMode { get; set; }

    /// <summary>Whether an IPv6 wildcard endpoint also accepts IPv4 (reported as plain IPv4 in five-tuples). Defaults to <see langword="true"/>.</summary>
    public bool DualMode { get; set; } = true;

    /// <summary>The listen backlog. Defaults to 512.</summary>
    public int Backlog { get; set; } = 512;

    /// <summary>
    /// The most connections open at once. A connection beyond it is accepted and reset at once (never left in the
    /// backlog) and counted in <see cref="TcpServer{TIn, TOut}.RejectedConnections"/>. Defaults to 10 000.
    /// </summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// The most connections open at once from one remote address (IPv4-mapped addresses count as IPv4), so one host
    /// cannot take every slot. A connection beyond it is reset at once and counted in
    /// <see cref="TcpServer{TIn, TOut}.RejectedConnections"/>. Defaults to 1 000 (clients behind one NAT share an address).
    /// Clients of <see cref="UnixEndPoints"/> have no address and are not counted here.
    /// </summary>
    public int MaxConnectionsPerAddress { get; set; } = 1_000;

    /// <summary>
    /// The most connections accepted per second, across all endpoints; beyond it the server waits before accepting
    /// the next one, so a connection flood queues in the OS backlog (and then is refused by the OS) instead of
    /// costing the server work. The budget is refilled on each shared tick (rate × tick interval). Defaults to
    /// <see langword="null"/>: no limit (<see cref="MaxConnections"/> still bounds what is open).
    /// </summary>
    public int? MaxAcceptsPerSecond { get; set; }

    /// <summary>
    /// Decides whether to serve a new connection, by its five-tuple; runs on the connection's own task, before
    /// <c>OnConnectedAsync</c>. A rejected (or throwing) filter resets the connection, which is counted, and no
    /// handler callback runs. Defaults to <see langword="null"/> (accept all).
    /// </summary>
    public Func<FiveTuple, CancellationToken, ValueTask<bool>>? AcceptFilter { get; set; }

    /// <summary>How long <c>StopAsync</c> lets connections finish (reply, FIN, peer FIN) before resetting them. Defaults to 10 seconds.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The interval of the shared tick that checks idle and timeout deadlines. Defaults to 1 second.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// TLS for every connection: the handshake runs after the accept filter and before <c>OnConnectedAsync</c>.
    /// Defaults to <see langword="null"/> (plain TCP).
    /// </summary>
    public Tls.TlsServerOptions? Tls { get; set; }

    /// <summary>
    /// The PROXY protocol from trusted load balancers: a header naming the real client is read first, before TLS and the
    /// codec; the per-address limit and the accept filter then apply to that client. Applies to <see cref="EndPoints"/>
    /// (a Unix domain socket's clients are local, and its file permissions decide who connects). Defaults to
    /// <see langword="null"/> (off).
    /// </summary>
    public Proxy.ProxyProtocolOptions? ProxyProtocol { get; set; }

    /// <summary>
    /// Linux only: set SO_REUSEPORT on the listening sockets, so several processes (or several servers in one process),
    /// each with this set, can listen on the same address and port, and the kernel spreads new connections among them
    /// by a hash of the connection's addresses and ports. Every listener must belong to the same user. Defaults to
    /// <see langword="false"/>. (macOS and the BSDs accept the option with other semantics, and Windows has none, so it
    /// is marked Linux-only for the platform analyzer.)
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public bool ReusePort
    {
        get => _reusePort;
        set => _reusePort = value;
    }

    /// <summary>Socket-level settings for accepted connections (on a Unix domain socket only the <see cref="TcpSocketOptions.ConfigureSocket"/> hook applies).</summary>
    public TcpSocketOptions Socket { get; set; } = new();

    /// <summary>Per-connection settings: send buffer, timeouts, idle, half-close.</summary>
    public ConnectionOptions Connection { get; set; } = new();

    /// <summary>Checks the options, throwing an exception that names the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public void Validate()
    {
        if (EndPoints.Count == 0 && UnixEndPoints.Count == 0)
        {
            throw new ArgumentException($"{nameof(EndPoints)} or {nameof(UnixEndPoints)} must hold at least one endpoint.", nameof(EndPoints));
        }

        if (UnixSocketFileMode is not null && OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException($"{nameof(UnixSocketFileMode)} is not supported on Windows.");
        }

        if (Backlog <= 0)
        {
            throw new ArgumentException($"{nameof(Backlog)} must be positive.", nameof(Backlog));
        }

        if (MaxConnections <= 0)
        {
            throw new ArgumentException($"{nameof(MaxConnections)} must be positive.", nameof(MaxConnections));
        }

        if (MaxConnectionsPerAddress <= 0)
        {
            throw new ArgumentException($"{nameof(MaxConnectionsPerAddress)} must be positive.", nameof(MaxConnectionsPerAddress));
        }

        if (MaxAcceptsPerSecond is <= 0)
        {
            throw new ArgumentException($"{nameof(MaxAcceptsPerSecond)} must be positive, or null for no limit.", nameof(MaxAcceptsPerSecond));
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(DrainTimeout)} must not be negative.", nameof(DrainTimeout));
        }

        if (TickInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(TickInterval)} must be positive.", nameof(TickInterval));
        }

        if (_reusePort && !OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("ReusePort is supported on Linux only.");
        }

        Tls?.Validate();
        ProxyProtocol?.Validate();
        ArgumentNullException.ThrowIfNull(Socket, nameof(Socket));
        ArgumentNullException.ThrowIfNull(Connection, nameof(Connection));
        Connection.Validate();
    }
}

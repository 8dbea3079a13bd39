using SocketKit.Connections;

namespace SocketKit.Udp;

/// <summary>Settings of a <see cref="UdpServer{TIn, TOut}"/>. Defaults are safe for a public server.</summary>
public sealed class UdpServerOptions
{
    /// <summary>The socket: where to bind (set <see cref="UdpEndpointOptions.LocalEndPoint"/>), datagram size, buffers. It must not be connected.</summary>
    public UdpEndpointOptions Endpoint { get; set; } = new();

    /// <summary>
    /// Per-session settings, as for a TCP connection: idle notifications, send-buffer watermarks and policy, write
    /// timeout. <see cref="ConnectionOptions.IdleTimeout"/> is how long a silent peer keeps its session; it defaults to
    /// one minute here (a UDP peer never says goodbye). The stream-only settings (half-close, close timeout, receive
    /// segment size) do not apply.
    /// </summary>
    public ConnectionOptions Session { get; set; } = new() { IdleTimeout = TimeSpan.FromMinutes(1) };

    /// <summary>
    /// The most sessions at once. A datagram from a new peer when the table is full evicts the session idle longest
    /// (closed with <see cref="CloseReason.Evicted"/>): a sender's address can be forged, so the table must be bounded.
    /// Defaults to 10 000.
    /// </summary>
    public int MaxSessions { get; set; } = 10_000;

    /// <summary>
    /// Decides whether a new peer gets a session, before any callback runs; refused peers' datagrams are dropped and
    /// counted in <see cref="UdpServer{TIn, TOut}.RejectedDatagrams"/>. It runs on the receive loop for the first
    /// datagram of each new peer, so keep it quick. Defaults to <see langword="null"/> (accept all).
    /// </summary>
    public Func<FiveTuple, CancellationToken, ValueTask<bool>>? AcceptFilter { get; set; }

    /// <summary>How long <c>StopAsync</c> lets sessions finish their callbacks and send their replies. Defaults to 5 seconds.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The interval of the shared tick that checks idle deadlines and expires sessions. Defaults to 1 second.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks the options, throwing an exception that names the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint, nameof(Endpoint));
        ArgumentNullException.ThrowIfNull(Session, nameof(Session));
        Endpoint.Validate();
        Session.Validate();
        if (Endpoint.RemoteEndPoint is not null)
        {
            throw new ArgumentException("A UDP server serves many peers; its endpoint must not be connected (RemoteEndPoint must be null).", nameof(Endpoint));
        }

        if (MaxSessions <= 0)
        {
            throw new ArgumentException($"{nameof(MaxSessions)} must be positive.", nameof(MaxSessions));
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(DrainTimeout)} must not be negative.", nameof(DrainTimeout));
        }

        if (TickInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(TickInterval)} must be positive.", nameof(TickInterval));
        }
    }
}

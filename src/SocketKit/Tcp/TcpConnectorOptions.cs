using System.Net;
using Microsoft.Extensions.Logging;
using SocketKit.Connections;

namespace SocketKit.Tcp;

/// <summary>Settings of <see cref="TcpConnector.ConnectAsync"/>.</summary>
public sealed class TcpConnectorOptions
{
    /// <summary>How long to try connecting, across every address of a host name. Defaults to 10 seconds.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The local endpoint to bind before connecting (a source address or port; not used for a Unix domain socket). Defaults to <see langword="null"/> (the OS chooses).</summary>
    public IPEndPoint? LocalEndPoint { get; set; }

    /// <summary>Socket-level settings.</summary>
    public TcpSocketOptions Socket { get; set; } = new();

    /// <summary>Per-connection settings: send buffer, timeouts, idle, half-close.</summary>
    public ConnectionOptions Connection { get; set; } = new();

    /// <summary>TLS: the handshake runs before <c>ConnectAsync</c> returns (and before <c>OnConnectedAsync</c>). Defaults to <see langword="null"/> (plain TCP).</summary>
    public Tls.TlsClientOptions? Tls { get; set; }

    /// <summary>Where logs go. Defaults to <see langword="null"/> (none).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock for timeouts and idle checks. Defaults to <see langword="null"/> (<see cref="TimeProvider.System"/>).</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Checks the options, throwing an exception that names the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public void Validate()
    {
        if (ConnectTimeout <= TimeSpan.Zero && ConnectTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(ConnectTimeout)} must be positive or Timeout.InfiniteTimeSpan.", nameof(ConnectTimeout));
        }

        ArgumentNullException.ThrowIfNull(Socket, nameof(Socket));
        ArgumentNullException.ThrowIfNull(Connection, nameof(Connection));
        Connection.Validate();
    }
}

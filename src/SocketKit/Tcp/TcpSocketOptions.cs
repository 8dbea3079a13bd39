using System.Net.Sockets;

namespace SocketKit.Tcp;

/// <summary>Socket-level settings applied to every TCP connection, accepted or connected (to a Unix domain socket, only <see cref="ConfigureSocket"/>).</summary>
public sealed class TcpSocketOptions
{
    /// <summary>Disables Nagle's algorithm, so small messages go out at once. Defaults to <see langword="true"/>.</summary>
    public bool NoDelay { get; set; } = true;

    /// <summary>Enables TCP keep-alive probes. Defaults to <see langword="false"/>.</summary>
    public bool KeepAlive { get; set; }

    /// <summary>Idle time before the first keep-alive probe, when <see cref="KeepAlive"/> is on. Defaults to <see langword="null"/> (the OS default, 2 hours on Linux).</summary>
    public TimeSpan? KeepAliveTime { get; set; }

    /// <summary>Time between keep-alive probes. Defaults to <see langword="null"/> (the OS default).</summary>
    public TimeSpan? KeepAliveInterval { get; set; }

    /// <summary>Unanswered probes before the connection is dropped. Defaults to <see langword="null"/> (the OS default).</summary>
    public int? KeepAliveRetryCount { get; set; }

    /// <summary>Called for each connection's socket after the settings above, for anything they do not cover. Defaults to <see langword="null"/>.</summary>
    public Action<Socket>? ConfigureSocket { get; set; }

    /// <summary>Applies the settings to <paramref name="socket"/> (a Unix domain socket has no TCP settings: only the hook runs).</summary>
    internal void Apply(Socket socket)
    {
        if (socket.AddressFamily == AddressFamily.Unix)
        {
            ConfigureSocket?.Invoke(socket);
            return;
        }

        socket.NoDelay = NoDelay;
        if (KeepAlive)
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            if (KeepAliveTime is { } time)
            {
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)Math.Max(1, time.TotalSeconds));
            }

            if (KeepAliveInterval is { } interval)
            {
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, (int)Math.Max(1, interval.TotalSeconds));
            }

            if (KeepAliveRetryCount is { } count)
            {
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, count);
            }
        }

        ConfigureSocket?.Invoke(socket);
    }
}

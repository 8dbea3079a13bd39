using System.Buffers;
using System.Net;
using System.Net.Sockets;
using SocketKit.Codecs;
using SocketKit.Tcp;

namespace Echo;

/// <summary>The echo server: 4-byte big-endian length-prefixed frames, echoed with header and payload unchanged.</summary>
public static class EchoServer
{
    /// <summary>How long a connection may send and receive nothing before it is closed: one that connects and says nothing is not held for ever.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(1);

    /// <param name="endPoint">Where to listen: an IP endpoint, or a Unix domain socket path (<see cref="UnixDomainSocketEndPoint"/>).</param>
    /// <param name="log">Where to print each connection, if anywhere.</param>
    /// <param name="reusePort">Share the port with other processes that set it too (Linux, SO_REUSEPORT): the kernel spreads the connections.</param>
    /// <param name="idleTimeout">How long a silent connection is kept; <see cref="DefaultIdleTimeout"/> if not given.</param>
    public static TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>> Create(EndPoint endPoint, TextWriter? log = null, bool reusePort = false, TimeSpan? idleTimeout = null)
    {
        var options = new TcpServerOptions { Connection = { IdleTimeout = idleTimeout ?? DefaultIdleTimeout } };
        if (endPoint is UnixDomainSocketEndPoint path)
        {
            options.UnixEndPoints.Add(path); // local clients only; a file left by a crashed server is replaced
        }
        else
        {
            options.EndPoints.Add((IPEndPoint)endPoint);
        }

        if (reusePort)
        {
            if (!OperatingSystem.IsLinux())
            {
                throw new PlatformNotSupportedException("--reuse-port needs Linux (SO_REUSEPORT).");
            }

            options.ReusePort = true;
        }

        return new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(options, Codec.LengthPrefixed(), new EchoHandler(log));
    }

    /// <summary>
    /// Serves until SIGINT (Ctrl+C), SIGTERM (systemd, Docker, Kubernetes) or SIGQUIT, then stops gracefully: clients
    /// get their replies and a FIN, and each connection's <c>OnDisconnectedAsync</c> runs before the process exits.
    /// </summary>
    public static async Task<int> RunAsync(EndPoint endPoint, bool reusePort = false, TimeSpan? idleTimeout = null)
    {
        await using var server = Create(endPoint, Console.Out, reusePort, idleTimeout);
        // RunAsync() takes the stop signals, then starts the server, before it returns: announced only then, a server
        // cannot be killed by a SIGTERM sent the moment it says it listens. A failed start has ended the task already.
        var running = server.RunAsync();
        if (!running.IsCompleted)
        {
            Console.WriteLine($"echo server listening on {string.Join(", ", server.EndPoints.Concat<EndPoint>(server.UnixEndPoints))}; Ctrl+C to stop");
        }

        await running; // serves until a stop signal, then stops gracefully
        Console.WriteLine($"stopped after serving {server.AcceptedConnections} connection(s)");
        return 0;
    }
}

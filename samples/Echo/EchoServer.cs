using System.Buffers;
using System.Net;
using SocketKit.Codecs;
using SocketKit.Tcp;

namespace Echo;

/// <summary>The echo server: 4-byte big-endian length-prefixed frames, echoed with header and payload unchanged.</summary>
public static class EchoServer
{
    public static TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>> Create(IPEndPoint endPoint, TextWriter? log = null)
    {
        var options = new TcpServerOptions();
        options.EndPoints.Add(endPoint);
        return new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(options, Codec.LengthPrefixed(), new EchoHandler(log));
    }

    /// <summary>Serves until <paramref name="stop"/> is cancelled (Ctrl+C), then stops gracefully.</summary>
    public static async Task<int> RunAsync(IPEndPoint endPoint, CancellationToken stop)
    {
        await using var server = Create(endPoint, Console.Out);
        await server.StartAsync(stop);
        Console.WriteLine($"echo server listening on {string.Join(", ", server.EndPoints)}; Ctrl+C to stop");
        await server.RunAsync(stop); // serves until Ctrl+C or SIGTERM, then stops gracefully
        Console.WriteLine($"stopped after serving {server.AcceptedConnections} connection(s)");
        return 0;
    }
}

using System.Buffers;
using System.Net;
using SocketKit;
using SocketKit.Codecs;
using SocketKit.Udp;

namespace Echo;

/// <summary>The UDP echo server: every datagram goes back to its sender unchanged, so any UDP tool can talk to it.</summary>
public static class UdpEchoServer
{
    public static UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> Create(IPEndPoint endPoint, TextWriter? log = null) =>
        new(new UdpEndpointOptions { LocalEndPoint = endPoint }, BytesCodec.Instance, BytesCodec.Instance, new Handler(log));

    /// <summary>Serves until SIGINT (Ctrl+C), SIGTERM or SIGQUIT, then stops.</summary>
    public static async Task<int> RunAsync(IPEndPoint endPoint)
    {
        await using var server = Create(endPoint, Console.Out);
        var running = server.RunAsync(); // takes the stop signals and starts the endpoint before it returns (see EchoServer)
        if (!running.IsCompleted)
        {
            Console.WriteLine($"UDP echo server on {server.LocalEndPoint}; Ctrl+C to stop");
        }

        await running; // serves until a stop signal
        Console.WriteLine($"stopped after echoing {server.ReceivedDatagrams} datagram(s)");
        return 0;
    }

    private sealed class Handler(TextWriter? log) : DatagramHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        public override ValueTask OnDatagramAsync(UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> endpoint, Datagram<ReadOnlySequence<byte>> datagram, CancellationToken stopping) =>
            endpoint.SendToAsync(datagram.RemoteEndPoint, datagram.Message, stopping);

        public override void OnError(UdpEndpoint<ReadOnlySequence<byte>, ReadOnlySequence<byte>> endpoint, FiveTuple tuple, Exception error) =>
            log?.WriteLine($"server: {tuple}: {error.Message}");
    }
}

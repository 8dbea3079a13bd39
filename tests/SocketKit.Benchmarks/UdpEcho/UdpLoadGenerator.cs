using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace SocketKit.Benchmarks.UdpEcho;

/// <summary>
/// Drives a UDP echo server from plain sockets: each client keeps a window of datagrams in flight, each carrying its
/// client and a sequence number, and checks every echo byte for byte. UDP may drop a datagram: a client that hears
/// nothing for 200 ms refills its window rather than stall.
/// </summary>
public static class UdpLoadGenerator
{
    public static async Task RunAsync(int port, int clients, int window, int payload, Echo.EchoProgress progress, CancellationToken stop)
    {
        var server = new IPEndPoint(IPAddress.Loopback, port);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(() => DriveAsync(server, client, window, payload, progress, stop), CancellationToken.None)));
    }

    private static async Task DriveAsync(IPEndPoint server, int client, int window, int payload, Echo.EchoProgress progress, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Connect(server);
        var reply = new byte[payload + 1];
        var sequence = -1;
        long echoes = 0;
        var datagram = new byte[payload];
        for (var i = 0; i < window; i++)
        {
            await SendAsync(socket, datagram, client, Interlocked.Increment(ref sequence));
        }

        // A watchdog instead of a timeout per receive (a timer per datagram would load the shared cores).
        var watchdog = Task.Run(async () =>
        {
            var refill = new byte[payload];
            var seen = -1L;
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(200, CancellationToken.None);
                var now = Interlocked.Read(ref echoes);
                if (now == seen)
                {
                    for (var i = 0; i < window; i++)
                    {
                        await SendAsync(socket, refill, client, Interlocked.Increment(ref sequence)); // lost: refill the window
                    }
                }

                seen = now;
            }
        }, CancellationToken.None);

        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(reply, SocketFlags.None, stop);
                Verify(reply.AsSpan(0, received), payload, client);
                Interlocked.Increment(ref echoes);
                progress.Count();
                await SendAsync(socket, datagram, client, Interlocked.Increment(ref sequence));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await watchdog;
    }

    private static async Task SendAsync(Socket socket, byte[] datagram, int client, int sequence)
    {
        Fill(datagram, client, sequence);
        await socket.SendAsync(datagram, SocketFlags.None);
    }

    private static void Fill(Span<byte> datagram, int client, int sequence)
    {
        BinaryPrimitives.WriteInt32BigEndian(datagram, client);
        BinaryPrimitives.WriteInt32BigEndian(datagram[4..], sequence);
        for (var i = 8; i < datagram.Length; i++)
        {
            datagram[i] = (byte)(i * 31 + client);
        }
    }

    private static void Verify(ReadOnlySpan<byte> reply, int payload, int client)
    {
        if (reply.Length != payload || BinaryPrimitives.ReadInt32BigEndian(reply) != client)
        {
            throw new InvalidOperationException($"Client {client} got a wrong echo: {reply.Length} bytes.");
        }

        for (var i = 8; i < payload; i++)
        {
            if (reply[i] != (byte)(i * 31 + client))
            {
                throw new InvalidOperationException($"Client {client} got a corrupted echo at byte {i}.");
            }
        }
    }
}

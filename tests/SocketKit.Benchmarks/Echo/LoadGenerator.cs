using System.Net;
using System.Net.Sockets;

namespace SocketKit.Benchmarks.Echo;

/// <summary>
/// Opens connections to an echo server over plain sockets for what the C load generator does not do: idle connections
/// (memory), connection storms (accept path), and the smoke run behind CI (no compiler needed). Checks every echoed byte.
/// </summary>
public static class LoadGenerator
{
    /// <summary>Runs <paramref name="connections"/> × <paramref name="inFlight"/> frames of <paramref name="payload"/> bytes until the token fires.</summary>
    public static async Task<long> RunAsync(int port, int connections, int inFlight, int payload, CancellationToken stop)
    {
        var frame = EchoFrames.Frame(payload, seed: 7);
        var sockets = new Socket[connections];
        for (var i = 0; i < connections; i++)
        {
            sockets[i] = await ConnectAsync(port, i);
        }

        var counts = await Task.WhenAll(sockets.Select(s => Task.Run(() => DriveAsync(s, frame, inFlight, stop), CancellationToken.None)));
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        return counts.Sum();
    }

    /// <summary>Opens, exchanges one frame with, and closes <paramref name="total"/> connections, <paramref name="parallel"/> at a time.</summary>
    public static async Task StormAsync(int port, int total, int parallel)
    {
        var frame = EchoFrames.Frame(32, seed: 3);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            var reply = new byte[frame.Length];
            int index;
            while ((index = Interlocked.Increment(ref next)) < total)
            {
                using var socket = await ConnectAsync(port, index);
                await socket.SendAsync(frame, SocketFlags.None);
                await ReceiveExactlyAsync(socket, reply);
                Verify(frame, reply);
            }
        })));
    }

    /// <summary>Opens <paramref name="count"/> connections that each exchange one frame and then stay idle; <paramref name="firstIndex"/> picks where in the source addresses to start.</summary>
    public static async Task<Socket[]> OpenIdleAsync(int port, int count, int firstIndex = 0)
    {
        var frame = EchoFrames.Frame(32, seed: 5);
        var sockets = new Socket[count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            var reply = new byte[frame.Length];
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                var socket = await ConnectAsync(port, firstIndex + index);
                await socket.SendAsync(frame, SocketFlags.None);
                await ReceiveExactlyAsync(socket, reply);
                sockets[index] = socket;
            }
        })));
        return sockets;
    }

    // Client source addresses spread over 127.0.0.1-127.0.0.64, so neither TIME_WAIT nor 100 000 held connections exhaust
    // one address's ports.
    private static async Task<Socket> ConnectAsync(int port, int index)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(new IPAddress([127, 0, 0, (byte)(1 + (index % 64))]), 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static async Task<long> DriveAsync(Socket socket, byte[] frame, int inFlight, CancellationToken stop)
    {
        var reply = new byte[frame.Length];
        for (var i = 0; i < inFlight; i++)
        {
            await socket.SendAsync(frame, SocketFlags.None);
        }

        long echoed = 0;
        for (var outstanding = inFlight; outstanding > 0; outstanding--)
        {
            await ReceiveExactlyAsync(socket, reply);
            Verify(frame, reply);
            echoed++;
            if (!stop.IsCancellationRequested)
            {
                await socket.SendAsync(frame, SocketFlags.None);
                outstanding++; // one back, one out; once stopped, the rest in flight drain
            }
        }

        return echoed;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new EndOfStreamException("the server closed the connection");
            }

            read += n;
        }
    }

    private static void Verify(byte[] expected, byte[] actual)
    {
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            throw new InvalidDataException("an echoed frame differs from the one sent");
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SocketKit.Benchmarks.Echo;

/// <summary>
/// Drives an echo server over plain sockets and checks every echoed byte. Each connection keeps a fixed number
/// of frames in flight: a new frame goes out when an echo has come back whole and correct.
/// </summary>
public static class LoadGenerator
{
    /// <summary>Echoes counted so far by <see cref="RunAsync"/>, readable while it runs; latencies recorded while <see cref="Recording"/>.</summary>
    public sealed class Progress
    {
        private long _echoed;

        public long Echoed => Interlocked.Read(ref _echoed);

        private volatile bool _recording;

        public bool Recording
        {
            get => _recording;
            set => _recording = value;
        }

        public List<double> LatenciesMicroseconds { get; } = new();

        internal void Count() => Interlocked.Increment(ref _echoed);
    }

    /// <summary>Runs <paramref name="connections"/> × <paramref name="inFlight"/> frames of <paramref name="payload"/> bytes until the token fires.</summary>
    public static async Task<long> RunAsync(int port, int connections, int inFlight, int payload, Progress progress, CancellationToken stop)
    {
        var frame = EchoFrames.Frame(payload, seed: 7);
        var sockets = new Socket[connections];
        for (var i = 0; i < connections; i++)
        {
            sockets[i] = await ConnectAsync(port, i);
        }

        var counts = await Task.WhenAll(sockets.Select(s => Task.Run(() => DriveAsync(s, frame, inFlight, progress, stop), CancellationToken.None)));
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

    /// <summary>Opens <paramref name="count"/> connections that each exchange one frame and then stay idle.</summary>
    public static async Task<Socket[]> OpenIdleAsync(int port, int count)
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
                var socket = await ConnectAsync(port, index);
                await socket.SendAsync(frame, SocketFlags.None);
                await ReceiveExactlyAsync(socket, reply);
                sockets[index] = socket;
            }
        })));
        return sockets;
    }

    // Client source addresses spread over 127.0.0.1-127.0.0.8, so TIME_WAIT does not exhaust ports.
    private static async Task<Socket> ConnectAsync(int port, int index)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Bind(new IPEndPoint(new IPAddress([127, 0, 0, (byte)(1 + (index % 8))]), 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private static async Task<long> DriveAsync(Socket socket, byte[] frame, int inFlight, Progress progress, CancellationToken stop)
    {
        var reply = new byte[frame.Length];
        var sentAt = new Queue<long>();
        for (var i = 0; i < inFlight; i++)
        {
            sentAt.Enqueue(Stopwatch.GetTimestamp());
            await socket.SendAsync(frame, SocketFlags.None);
        }

        long echoed = 0;
        while (true)
        {
            await ReceiveExactlyAsync(socket, reply);
            Verify(frame, reply);
            echoed++;
            progress.Count();
            var started = sentAt.Dequeue();
            if (progress.Recording)
            {
                lock (progress.LatenciesMicroseconds)
                {
                    progress.LatenciesMicroseconds.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                }
            }

            if (stop.IsCancellationRequested)
            {
                if (sentAt.Count == 0)
                {
                    return echoed;
                }

                continue; // drain what is in flight, send nothing new
            }

            sentAt.Enqueue(Stopwatch.GetTimestamp());
            await socket.SendAsync(frame, SocketFlags.None);
        }
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

using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace SocketKit.Benchmarks.Echo.Servers;

/// <summary>
/// A tight System.Net.Sockets + Pipelines echo, the floor to compare against: zero-byte receive before renting a
/// buffer, 128 KiB segments, complete frames sent straight from the pipe's segments in one gathered send.
/// </summary>
public static class BareEchoServer
{
    private const int SegmentSize = 128 * 1024;

    public static Task<int> StartAsync(CancellationToken stop)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4096);
        _ = AcceptLoopAsync(listener, stop);
        return Task.FromResult(((IPEndPoint)listener.LocalEndPoint!).Port);
    }

    private static async Task AcceptLoopAsync(Socket listener, CancellationToken stop)
    {
        using (listener)
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptAsync(stop);
                socket.NoDelay = true;
                _ = Task.Run(() => ServeAsync(socket), CancellationToken.None);
            }
        }
    }

    private static async Task ServeAsync(Socket socket)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 * SegmentSize, resumeWriterThreshold: 2 * SegmentSize,
            minimumSegmentSize: SegmentSize, useSynchronizationContext: false));
        using (socket)
        {
            var receiving = ReceiveAsync(socket, pipe.Writer);
            var gather = new List<ArraySegment<byte>>();
            var reader = pipe.Reader;
            try
            {
                while (true)
                {
                    var result = await reader.ReadAsync();
                    var buffer = result.Buffer;
                    var complete = EchoFrames.CompleteFramesLength(buffer);
                    if (complete > 0)
                    {
                        gather.Clear();
                        foreach (var segment in buffer.Slice(0, complete))
                        {
                            gather.Add(MemoryMarshal.TryGetArray(segment, out var array) ? array : segment.ToArray());
                        }

                        await socket.SendAsync(gather, SocketFlags.None);
                    }

                    reader.AdvanceTo(buffer.GetPosition(complete), buffer.End);
                    if (result.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (SocketException)
            {
            }

            await reader.CompleteAsync();
            await receiving;
        }
    }

    private static async Task ReceiveAsync(Socket socket, PipeWriter writer)
    {
        try
        {
            var lastFilled = false;
            while (true)
            {
                if (!lastFilled)
                {
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                }

                var memory = writer.GetMemory(SegmentSize);
                var n = await socket.ReceiveAsync(memory, SocketFlags.None);
                if (n == 0)
                {
                    break;
                }

                lastFilled = n == memory.Length;
                writer.Advance(n);
                if ((await writer.FlushAsync()).IsCompleted)
                {
                    break;
                }
            }
        }
        catch (SocketException)
        {
        }

        await writer.CompleteAsync();
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

[Collection(nameof(LeakTests))]
public sealed class LeakCheckTests
{
    private const int Half = 10_000;
    private const int Parallel = 8;

    [Fact]
    public async Task Twenty_thousand_connect_exchange_close_cycles_leak_no_descriptors_and_no_memory()
    {
        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 }, MaxConnections = 1_000, MaxConnectionsPerAddress = 1_000 };
        var echo = new Echo();
        await using var server = new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(options, Codec.LengthPrefixed(), echo);
        await server.StartAsync(TestContext.Current.CancellationToken);

        await CyclesAsync(server.EndPoints[0], 200); // warm-up: pools, JIT, first-use allocations
        var warm = await SettleAsync(server, echo, 200, "the warm-up");
        await CyclesAsync(server.EndPoints[0], Half);
        var first = await SettleAsync(server, echo, 200 + Half, "the first half");
        await CyclesAsync(server.EndPoints[0], Half);
        var second = await SettleAsync(server, echo, 200 + (2 * Half), "the second half");

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"descriptors {warm.Descriptors} -> {first.Descriptors} -> {second.Descriptors}; managed heap {warm.Heap:N0} -> {first.Heap:N0} -> {second.Heap:N0} bytes; accepted {server.AcceptedConnections}");
        Assert.Equal(200 + (2 * Half), server.AcceptedConnections);
        Assert.True(second.Descriptors - first.Descriptors <= 4, $"Open descriptors grew from {first.Descriptors} to {second.Descriptors} between the halves.");
        Assert.True(second.Heap - first.Heap <= 2 * 1024 * 1024, $"The managed heap grew from {first.Heap:N0} to {second.Heap:N0} bytes between the halves.");
    }

    /// <summary>Connect, exchange one frame, close (the client first), <paramref name="count"/> times, 8 at a time, from 127.0.0.2–127.0.0.9.</summary>
    private static async Task CyclesAsync(IPEndPoint server, int count)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => Task.Run(async () =>
        {
            var frame = new byte[4 + 16];
            BinaryPrimitives.WriteInt32BigEndian(frame, 16);
            var reply = new byte[frame.Length];
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                // IP_BIND_ADDRESS_NO_PORT: choose the port at connect, by the whole four-tuple; otherwise bind(port 0)
                // crawls through the thousands of ports our own earlier cycles leave in TIME_WAIT.
                socket.SetRawSocketOption(0 /* SOL_IP */, 24 /* IP_BIND_ADDRESS_NO_PORT */, BitConverter.GetBytes(1));
                socket.Bind(new IPEndPoint(new IPAddress([127, 0, 0, (byte)(2 + (index % 8))]), 0));
                await socket.ConnectAsync(server);
                await socket.SendAsync(frame, SocketFlags.None);
                var read = 0;
                while (read < reply.Length)
                {
                    var n = await socket.ReceiveAsync(reply.AsMemory(read), SocketFlags.None);
                    Assert.True(n > 0, "The server closed before echoing.");
                    read += n;
                }

                Assert.Equal(frame, reply);
            }
        })));
    }

    private static async Task<(int Descriptors, long Heap)> SettleAsync(TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>> server, Echo echo, long total, string what)
    {
        await AsyncAssert.Within(echo.WhenDisconnected(total), $"every connection of {what} to close", seconds: 30);
        Assert.Equal(0, server.ConnectionCount); // each slot is freed before its OnDisconnectedAsync
        Assert.Empty(server.Connections);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return (Directory.GetFileSystemEntries("/proc/self/fd").Length, GC.GetTotalMemory(forceFullCollection: true));
    }

    /// <summary>Echoes, and counts disconnections so the test can await a total (no per-connection record: that would be the leak).</summary>
    private sealed class Echo : ConnectionHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>
    {
        private readonly Lock _lock = new();
        private long _disconnected;
        private long _awaited;
        private TaskCompletionSource? _reached;

        public Task WhenDisconnected(long total)
        {
            lock (_lock)
            {
                if (_disconnected >= total)
                {
                    return Task.CompletedTask;
                }

                _awaited = total;
                _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _reached.Task;
            }
        }

        public override ValueTask OnMessageAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, ReadOnlySequence<byte> message, CancellationToken closing) =>
            connection.SendAsync(message, closing);

        public override ValueTask OnDisconnectedAsync(Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, CloseInfo closeInfo, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (++_disconnected >= _awaited && _reached is { } reached)
                {
                    _reached = null;
                    reached.TrySetResult();
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}

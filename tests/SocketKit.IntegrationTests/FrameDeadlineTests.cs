using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

/// <summary>
/// The frame deadline (slowloris protection) counts only the peer's time: from a frame's first byte to its last, less
/// any time the server itself was not reading. Healthy clients that stream, or that send faster than they read, are
/// never reset by it; a client that never reads is named for what it does (a write timeout).
/// </summary>
[Collection(nameof(LoopbackTests))]
public sealed class FrameDeadlineTests
{
    private const int FrameSize = 10_000;

    [Fact]
    public async Task A_client_streaming_writes_that_straddle_frames_runs_far_past_the_frame_deadline()
    {
        var time = new FakeTimeProvider();
        await using var echo = await EchoServer.StartAsync(
            new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(EchoServer.Echoing),
            o => o.Connection.FrameTimeout = TimeSpan.FromSeconds(5), time: time);
        using var client = await RawClient.ConnectAsync(echo.EndPoint);
        var (connection, recorder) = await echo.Handler.NextConnectedAsync();
        var writes = RawClient.UnalignedWrites(frames: 40, FrameSize, out var payloads);

        // Every write completes one frame and starts the next, one simulated second apart: 40 s of streaming, eight
        // deadlines, and no read of the server's ever ends on a frame boundary.
        await client.SendAsync(writes[0]);
        for (var i = 0; i < payloads.Count; i++)
        {
            await client.SendAsync(writes[i + 1]);
            Assert.Equal(payloads[i], await client.ReadFrameAsync());
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(ConnectionState.Open, connection.State);
        Assert.Equal(0, recorder.DisconnectedCount);
        client.ShutdownSend();
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(recorder.Disconnected, "the client's FIN")).Reason);
    }

    [Fact]
    public async Task A_client_that_sends_faster_than_it_reads_is_not_blamed_for_the_servers_backpressure()
    {
        var time = new FakeTimeProvider();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(() => new() { OnMessage = (c, m, ct) => EchoNotingBackpressure(c, m, () => blocked.TrySetResult(), ct) });
        await using var echo = await EchoServer.StartAsync(recorder, o => Backpressured(o, writeTimeout: Timeout.InfiniteTimeSpan, frameTimeout: TimeSpan.FromSeconds(5)), time: time);
        using var client = await RawClient.ConnectAsync(echo.EndPoint, receiveBufferSize: 16 * 1024);
        var (connection, handler) = await echo.Handler.NextConnectedAsync();
        // 60 frames: several times what the server's send side holds, well within what its receive side holds, so
        // every write is taken while the server, its send buffer full, stops reading them.
        var writes = RawClient.UnalignedWrites(frames: 60, FrameSize, out var payloads);

        foreach (var write in writes)
        {
            await client.SendAsync(write);
        }

        await AsyncAssert.Within(blocked.Task, "the server's send buffer to fill while a frame is half read");
        for (var i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1)); // four frame deadlines while the server is the one not reading
        }

        foreach (var payload in payloads)
        {
            Assert.Equal(payload, await client.ReadFrameAsync());
        }

        Assert.Equal(ConnectionState.Open, connection.State);
        Assert.Equal(0, handler.DisconnectedCount);
    }

    [Fact]
    public async Task A_client_that_never_reads_is_closed_as_a_write_timeout_not_a_receive_timeout()
    {
        var time = new FakeTimeProvider();
        using var blocks = new SemaphoreSlim(0); // one count each time an echo has to wait for room
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(() => new() { OnMessage = (c, m, ct) => EchoNotingBackpressure(c, m, () => blocks.Release(), ct) });
        // Both deadlines at their defaults (30 s): the one that names what the peer does must win.
        await using var echo = await EchoServer.StartAsync(recorder, o => Backpressured(o, writeTimeout: TimeSpan.FromSeconds(30), frameTimeout: TimeSpan.FromSeconds(30)), time: time);
        using var client = await RawClient.ConnectAsync(echo.EndPoint, receiveBufferSize: 16 * 1024);
        var (_, handler) = await echo.Handler.NextConnectedAsync();
        var writes = RawClient.UnalignedWrites(frames: 60, FrameSize, out _);

        // Every write is taken (the server's receive side holds them all), and the last ends half way through a frame:
        // the server, its send buffer full, never reads that far, so only the write timeout can end this.
        foreach (var write in writes.Take(writes.Count - 1))
        {
            await client.SendAsync(write);
        }

        // Each time an echo starts to wait, move the clock past the write timeout. A wait that ends early (the OS took
        // more) is followed by another; the last one, which nothing ends, meets the deadline.
        var disconnected = handler.Disconnected;
        for (var waits = 0; !disconnected.IsCompleted; waits++)
        {
            Assert.True(waits < 100, "The server kept waiting and resuming without the client reading.");
            var woke = await AsyncAssert.Within(Task.WhenAny(blocks.WaitAsync(), disconnected), "an echo to wait for room, or the close");
            if (woke != disconnected)
            {
                time.Advance(TimeSpan.FromSeconds(31));
                time.Advance(TimeSpan.FromSeconds(1)); // one more tick
            }
        }

        Assert.Equal(CloseReason.WriteTimeout, (await disconnected).Reason);
        Assert.Equal("reset", await client.WaitForEndAsync());
    }

    /// <summary>A small send buffer on both sides of the server, so a client that does not read fills it quickly.</summary>
    private static void Backpressured(TcpServerOptions options, TimeSpan writeTimeout, TimeSpan frameTimeout)
    {
        options.Connection.FrameTimeout = frameTimeout;
        options.Connection.SendBufferHighWatermark = 64 * 1024;
        options.Connection.SendBufferLowWatermark = 32 * 1024;
        options.Connection.WriteTimeout = writeTimeout;
        options.Socket.ConfigureSocket = socket => socket.SendBufferSize = 16 * 1024;
    }

    /// <summary>Echoes, and says when an echo had to wait for room (the send is then parked, its wait already timed).</summary>
    private static async ValueTask EchoNotingBackpressure(
        Connection<ReadOnlySequence<byte>, ReadOnlySequence<byte>> connection, ReadOnlySequence<byte> message, Action waiting, CancellationToken ct)
    {
        var send = connection.SendAsync(message, ct);
        if (!send.IsCompleted)
        {
            waiting();
        }

        await send;
    }
}

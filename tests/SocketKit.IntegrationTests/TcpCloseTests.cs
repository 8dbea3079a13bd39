using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Transports;

namespace SocketKit.IntegrationTests;

/// <summary>How connections end: a reset is immediate, a graceful close waits as long as it promises, and no longer.</summary>
[Collection(nameof(LoopbackTests))]
public sealed class TcpCloseTests
{
    [Fact]
    public async Task A_resetting_close_resets_at_once_even_while_the_peer_floods()
    {
        var busy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(() => new()
        {
            OnMessage = async (c, m, ct) =>
            {
                busy.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct); // a handler that is busy until the connection closes
            },
        });
        await using var echo = await EchoServer.StartAsync(recorder);
        using var client = await RawClient.ConnectAsync(echo.EndPoint);
        var (connection, handler) = await echo.Handler.NextConnectedAsync();
        var paused = ((SocketTransport)connection.Transport).ReceivePaused;
        var chunk = Enumerable.Range(0, 16).SelectMany(_ => RawClient.Frame(new byte[4096])).ToArray();

        var flood = client.FloodAsync(chunk, maxBytes: 4L << 30);
        await AsyncAssert.Within(busy.Task, "the handler to be busy");
        await AsyncAssert.Within(paused, "the server's receive buffer to fill");
        var sentAtClose = client.Flooded;
        connection.Close(CloseReason.WriteTimeout); // a reset-type reason, recorded while the peer floods

        var (sent, error) = await AsyncAssert.Within(flood, "the flood to be cut off", 60);
        Assert.NotNull(error);
        Assert.True(sent - sentAtClose < 16L * 1024 * 1024, $"The server took {sent - sentAtClose:N0} more bytes before its reset reached the client.");
        Assert.Equal(CloseReason.WriteTimeout, (await AsyncAssert.Within(handler.Disconnected, "the disconnect")).Reason);
    }

    [Fact]
    public async Task An_infinite_close_timeout_waits_for_the_reply_to_drain()
    {
        var reply = new byte[512 * 1024];
        new Random(5).NextBytes(reply);
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(() => new()
        {
            OnMessage = async (c, m, ct) =>
            {
                await c.SendAsync(new ReadOnlySequence<byte>(reply), ct);
                c.Close();
            },
        });
        await using var echo = await EchoServer.StartAsync(recorder, o =>
        {
            o.Connection.CloseTimeout = Timeout.InfiniteTimeSpan;
            o.Socket.ConfigureSocket = socket => socket.SendBufferSize = 16 * 1024;
        }, framing: new LengthFieldFramerOptions { MaxFrameLength = reply.Length });
        using var client = await RawClient.ConnectAsync(echo.EndPoint, receiveBufferSize: 16 * 1024);
        var (_, handler) = await echo.Handler.NextConnectedAsync();

        await client.SendFrameAsync("reply and close"u8.ToArray());

        Assert.Equal(reply, await client.ReadFrameAsync());
        Assert.Equal("fin", await client.WaitForEndAsync());
        client.ShutdownSend();
        Assert.Equal(CloseReason.LocalClose, (await AsyncAssert.Within(handler.Disconnected, "the close")).Reason);
    }

    [Fact]
    public async Task Stopping_resets_nothing_before_the_drain_timeout_even_past_the_close_timeout()
    {
        var time = new FakeTimeProvider();
        await using var echo = await EchoServer.StartAsync(
            new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(EchoServer.Echoing),
            o =>
            {
                o.Connection.CloseTimeout = TimeSpan.FromSeconds(5);
                o.DrainTimeout = TimeSpan.FromSeconds(10);
            },
            time: time);
        using var client = await RawClient.ConnectAsync(echo.EndPoint);
        var (_, handler) = await echo.Handler.NextConnectedAsync();

        var stop = echo.Server.StopAsync();
        Assert.Equal("fin", await client.WaitForEndAsync()); // the server's FIN: it now waits for ours
        time.Advance(TimeSpan.FromSeconds(7)); // past the close timeout, within the drain timeout

        await client.SendFrameAsync("last words"u8.ToArray()); // a reset server would refuse them (EPIPE)
        client.ShutdownSend();
        await AsyncAssert.Within(stop, "the stop to finish once the client's FIN arrives");
        Assert.Equal(CloseReason.ServerShutdown, (await handler.Disconnected).Reason);
    }

    [Fact]
    public async Task Stopping_resets_a_peer_that_has_not_finished_at_the_drain_timeout()
    {
        var time = new FakeTimeProvider();
        await using var echo = await EchoServer.StartAsync(
            new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(EchoServer.Echoing),
            o => o.DrainTimeout = TimeSpan.FromSeconds(10),
            time: time);
        using var client = await RawClient.ConnectAsync(echo.EndPoint);
        await echo.Handler.NextConnectedAsync();

        var stop = echo.Server.StopAsync();
        Assert.Equal("fin", await client.WaitForEndAsync());
        time.Advance(TimeSpan.FromSeconds(11));

        await AsyncAssert.Within(stop, "the stop to finish at the drain deadline");
        // Having read the server's FIN, the client learns of the reset when it sends.
        await Assert.ThrowsAsync<SocketException>(() => client.SendFrameAsync("too late"u8.ToArray()));
    }
}

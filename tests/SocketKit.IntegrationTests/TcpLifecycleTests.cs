using System.Buffers;
using System.Net;
using System.Text;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;

namespace SocketKit.IntegrationTests;

[Collection(nameof(LoopbackTests))]
public class TcpLifecycleTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Reset_and_fin_are_reported_as_different_reasons()
    {
        await using var echo = await EchoServer.StartAsync();

        using var resetter = await RawClient.ConnectAsync(echo.EndPoint);
        var (_, resetRecorder) = await echo.Handler.NextConnectedAsync();
        resetter.Reset();
        Assert.Equal(CloseReason.PeerReset, (await AsyncAssert.Within(resetRecorder.Disconnected, "reset seen")).Reason);

        using var finisher = await RawClient.ConnectAsync(echo.EndPoint);
        var (_, finRecorder) = await echo.Handler.NextConnectedAsync();
        await finisher.SendFrameAsync(Utf8("bye"));
        finisher.ShutdownSend();
        Assert.Equal(Utf8("bye"), await finisher.ReadFrameAsync());
        Assert.Equal("fin", await finisher.WaitForEndAsync());
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(finRecorder.Disconnected, "FIN seen")).Reason);
    }

    [Fact]
    public async Task Half_close_lets_the_server_answer_after_the_clients_fin()
    {
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(() =>
        {
            var handler = new RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>();
            return handler;
        });
        await using var echo = await EchoServer.StartAsync(recorder, o => o.Connection.AllowHalfClose = true);
        using var raw = await RawClient.ConnectAsync(echo.EndPoint);
        var (connection, handler) = await echo.Handler.NextConnectedAsync();
        await raw.SendFrameAsync(Utf8("question"));
        raw.ShutdownSend();
        await AsyncAssert.Within(handler.WhenEvent("input-completed"), "the server hears the FIN");
        await connection.SendAsync(new ReadOnlySequence<byte>(Utf8("answer")));
        connection.Close();
        Assert.Equal(Utf8("answer"), await raw.ReadFrameAsync());
        Assert.Equal("fin", await raw.WaitForEndAsync());
        Assert.Equal(CloseReason.LocalClose, (await AsyncAssert.Within(handler.Disconnected, "close")).Reason);
    }

    [Fact]
    public async Task An_oversized_frame_closes_only_its_own_connection()
    {
        await using var echo = await EchoServer.StartAsync(framing: new LengthFieldFramerOptions { MaxFrameLength = 1024 });
        using var good = await RawClient.ConnectAsync(echo.EndPoint);
        await echo.Handler.NextConnectedAsync();
        using var bad = await RawClient.ConnectAsync(echo.EndPoint);
        var (_, badRecorder) = await echo.Handler.NextConnectedAsync();

        await good.SendFrameAsync(Utf8("before"));
        Assert.Equal(Utf8("before"), await good.ReadFrameAsync());
        await bad.SendFrameAsync(new byte[4096]);
        var info = await AsyncAssert.Within(badRecorder.Disconnected, "the bad connection to close");
        Assert.Equal(CloseReason.ProtocolError, info.Reason);
        Assert.IsType<FrameTooLongException>(info.Exception);
        Assert.Contains(await bad.WaitForEndAsync(), new[] { "fin", "reset" });

        await good.SendFrameAsync(Utf8("after"));
        Assert.Equal(Utf8("after"), await good.ReadFrameAsync());
        using var fresh = await RawClient.ConnectAsync(echo.EndPoint);
        await fresh.SendFrameAsync(Utf8("fresh"));
        Assert.Equal(Utf8("fresh"), await fresh.ReadFrameAsync());
    }

    [Fact]
    public async Task Stop_drains_replies_to_connected_clients_then_sends_fin()
    {
        var completedSends = 0;
        var firstReplyAccepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(() => new()
        {
            OnMessage = async (c, m, ct) =>
            {
                await c.SendAsync(m, ct);
                Interlocked.Increment(ref completedSends);
                firstReplyAccepted.TrySetResult();
            },
        });
        var echo = await EchoServer.StartAsync(recorder);
        using var raw = await RawClient.ConnectAsync(echo.EndPoint);
        var (_, handler) = await echo.Handler.NextConnectedAsync();
        var frames = Enumerable.Range(0, 500).SelectMany(i => RawClient.Frame(Utf8($"request {i}"))).ToArray();
        await raw.SendAsync(frames);
        await AsyncAssert.Within(firstReplyAccepted.Task, "the first reply to be accepted");

        var stopping = echo.Server.StopAsync();
        var replies = 0;
        while (await raw.ReadFrameAsync() is { } reply)
        {
            Assert.Equal($"request {replies}", Encoding.UTF8.GetString(reply));
            replies++;
        }

        raw.Dispose(); // our FIN lets the server finish without waiting for its drain deadline
        await AsyncAssert.Within(stopping, "stop");
        Assert.True(replies >= 1);
        Assert.Equal(Volatile.Read(ref completedSends), replies);
        Assert.Equal(CloseReason.ServerShutdown, (await handler.Disconnected).Reason);
        await echo.DisposeAsync();
    }

    [Fact]
    public async Task Stop_resets_a_client_that_never_finishes_at_the_drain_deadline()
    {
        var echo = await EchoServer.StartAsync(o =>
        {
            o.DrainTimeout = TimeSpan.FromMilliseconds(300);
            o.Connection.CloseTimeout = TimeSpan.FromSeconds(30);
        });
        using var raw = await RawClient.ConnectAsync(echo.EndPoint);
        var (_, handler) = await echo.Handler.NextConnectedAsync();
        await AsyncAssert.Within(echo.Server.StopAsync(), "stop at the drain deadline");
        Assert.Equal(CloseReason.ServerShutdown, (await AsyncAssert.Within(handler.Disconnected, "disconnect")).Reason);
        Assert.Equal(0, echo.Server.ConnectionCount);
        await echo.DisposeAsync();
    }

    [Fact]
    public async Task The_connection_limit_refuses_the_excess_and_serves_a_fresh_client_after()
    {
        await using var echo = await EchoServer.StartAsync(o => o.MaxConnections = 2);
        using var first = await RawClient.ConnectAsync(echo.EndPoint);
        var (_, firstRecorder) = await echo.Handler.NextConnectedAsync();
        using var second = await RawClient.ConnectAsync(echo.EndPoint);
        foreach (var client in new[] { first, second })
        {
            await client.SendFrameAsync(Utf8("hi"));
            Assert.Equal(Utf8("hi"), await client.ReadFrameAsync());
        }

        Assert.Contains(await AsyncAssert.Within(RawClient.ConnectExpectingRefusalAsync(echo.EndPoint), "the excess to be refused", 5), new[] { "fin", "reset" });
        Assert.Equal(1, echo.Server.RejectedConnections);

        first.Reset();
        await AsyncAssert.Within(firstRecorder.Disconnected, "the first client's slot to free up");
        Assert.Equal(1, echo.Server.ConnectionCount);
        using var fresh = await RawClient.ConnectAsync(echo.EndPoint);
        await fresh.SendFrameAsync(Utf8("served"));
        Assert.Equal(Utf8("served"), await fresh.ReadFrameAsync());
    }

    [Fact]
    public async Task The_accept_filter_rejects_by_five_tuple_before_any_callback()
    {
        await using var echo = await EchoServer.StartAsync(o => o.AcceptFilter = (tuple, _) => ValueTask.FromResult(!tuple.RemoteAddress.Equals(IPAddress.Parse("127.0.0.2"))));
        Assert.Contains(await RawClient.ConnectExpectingRefusalAsync(echo.EndPoint, IPAddress.Parse("127.0.0.2")), new[] { "fin", "reset" });
        using var allowed = await RawClient.ConnectAsync(echo.EndPoint, IPAddress.Loopback);
        await allowed.SendFrameAsync(Utf8("ok"));
        Assert.Equal(Utf8("ok"), await allowed.ReadFrameAsync());
        Assert.Equal(1, echo.Server.RejectedConnections);
        Assert.Single(echo.Handler.All);
    }

    [Fact]
    public async Task Close_dispose_and_peer_reset_racing_a_hundred_times_on_loopback_keep_callbacks_paired()
    {
        await using var echo = await EchoServer.StartAsync();
        for (var round = 0; round < 100; round++)
        {
            var handler = new RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>();
            var client = await TcpConnector.ConnectAsync(echo.EndPoint, Codec.LengthPrefixed(), handler);
            var (serverSide, _) = await echo.Handler.NextConnectedAsync();
            Task? disposal = null;
            await AsyncAssert.Within(Race.RunAsync(1,
                _ => client.Close(),
                _ => disposal = client.DisposeAsync().AsTask(),
                _ => serverSide.Abort()), "racers");
            await AsyncAssert.Within(disposal!, "dispose");
            Assert.True(handler.Violations.Count == 0, $"round {round}: {string.Join(", ", handler.Violations)}");
            Assert.Equal(1, handler.ConnectedCount);
            Assert.Equal(1, handler.DisconnectedCount);
        }
    }
}

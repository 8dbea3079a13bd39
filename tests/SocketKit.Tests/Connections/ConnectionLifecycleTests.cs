using System.Text;
using Moq;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Testing;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Connections;

public class ConnectionLifecycleTests
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Callbacks_come_in_order_and_frames_sent_with_the_fin_are_all_delivered()
    {
        var handler = new RecordingHandler<string, string>();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        await peer.WriteAsync(Bytes("one\ntwo\nthree\n"));
        await peer.CompleteOutputAsync();
        var info = await AsyncAssert.Within(handler.Disconnected, "disconnect");

        Assert.Equal(CloseReason.PeerClose, info.Reason);
        Assert.True(info.IsPeerCaused);
        Assert.Equal(["one", "two", "three"], handler.Messages);
        Assert.Equal(["connected", "message", "message", "message", "disconnected"], handler.Events);
        Assert.Empty(handler.Violations);
        Assert.Equal(ConnectionState.Closed, connection.State);
        Assert.Same(info, await connection.Completion);
    }

    [Fact]
    public async Task Replies_to_the_last_frames_are_flushed_before_the_close_after_a_peer_fin()
    {
        var handler = new RecordingHandler<string, string> { OnMessage = (c, m, ct) => c.SendAsync("echo " + m, ct) };
        var (_, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        await peer.WriteAsync(Bytes("a\nb\n"));
        await peer.CompleteOutputAsync();
        var received = await AsyncAssert.Within(peer.ReadToEndAsync(), "replies and FIN");
        Assert.Equal("echo a\necho b\n", Encoding.UTF8.GetString(received));
    }

    [Fact]
    public async Task A_fin_in_the_middle_of_a_frame_closes_as_peer_close_with_the_truncation_reported()
    {
        var handler = new RecordingHandler<string, string>();
        var (_, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        await peer.WriteAsync(Bytes("whole\npart"));
        await peer.CompleteOutputAsync();
        var info = await AsyncAssert.Within(handler.Disconnected, "disconnect");
        Assert.Equal(CloseReason.PeerClose, info.Reason);
        Assert.IsType<MalformedFrameException>(info.Exception);
        Assert.Equal(["whole"], handler.Messages);
    }

    [Fact]
    public async Task A_peer_reset_is_reported_as_reset_not_close()
    {
        var handler = new RecordingHandler<string, string>();
        var (_, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        await peer.WriteAsync(Bytes("x\n"));
        peer.Reset();
        var info = await AsyncAssert.Within(handler.Disconnected, "disconnect");
        Assert.Equal(CloseReason.PeerReset, info.Reason);
        Assert.Empty(handler.Violations);
    }

    [Fact]
    public async Task A_too_long_frame_closes_with_protocol_error_and_keeps_the_frames_before_it()
    {
        var handler = new RecordingHandler<string, string>();
        var codec = Codec.Lines(new LineFramerOptions { MaxLineLength = 8 });
        var (_, peer) = InMemoryConnection.CreateWithPeer(codec, handler);
        await peer.WriteAsync(Bytes("fine\nthis line is too long\nnever\n"));
        var info = await AsyncAssert.Within(handler.Disconnected, "disconnect");
        Assert.Equal(CloseReason.ProtocolError, info.Reason);
        Assert.IsType<FrameTooLongException>(info.Exception);
        Assert.Equal(["fine"], handler.Messages);
    }

    [Fact]
    public async Task Under_the_discard_policy_a_too_long_frame_is_a_non_fatal_error()
    {
        var handler = new RecordingHandler<string, string>();
        var codec = Codec.Lines(new LineFramerOptions { MaxLineLength = 8, TooLongFramePolicy = TooLongFramePolicy.Discard });
        var (connection, peer) = InMemoryConnection.CreateWithPeer(codec, handler);
        await peer.WriteAsync(Bytes("fine\nthis line is too long\nnext\n"));
        await peer.CompleteOutputAsync();
        await AsyncAssert.Within(handler.Disconnected, "disconnect");
        Assert.Equal(["fine", "next"], handler.Messages);
        Assert.IsType<FrameTooLongException>(Assert.Single(handler.Errors));
        Assert.Equal(["connected", "message", "error", "message", "disconnected"], handler.Events);
        Assert.Equal(CloseReason.PeerClose, connection.CloseInfo!.Reason);
    }

    [Fact]
    public async Task Malformed_message_closes_with_protocol_error()
    {
        var handler = new RecordingHandler<string, string>();
        var (_, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        await peer.WriteAsync(new byte[] { 0xC3, 0x28, (byte)'\n' });
        var info = await AsyncAssert.Within(handler.Disconnected, "disconnect");
        Assert.Equal(CloseReason.ProtocolError, info.Reason);
        Assert.IsType<MalformedFrameException>(info.Exception);
    }

    [Fact]
    public async Task A_throwing_handler_closes_its_connection_with_handler_error_and_disconnect_still_runs_once()
    {
        var mock = new Mock<ConnectionHandler<string, string>> { CallBase = true };
        var boom = new InvalidOperationException("boom");
        mock.Setup(h => h.OnMessageAsync(It.IsAny<Connection<string, string>>(), "bad", It.IsAny<CancellationToken>())).ThrowsAsync(boom);
        var disconnected = new TaskCompletionSource<CloseInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        mock.Setup(h => h.OnDisconnectedAsync(It.IsAny<Connection<string, string>>(), It.IsAny<CloseInfo>(), It.IsAny<CancellationToken>()))
            .Callback<Connection<string, string>, CloseInfo, CancellationToken>((_, info, _) => disconnected.TrySetResult(info))
            .Returns(ValueTask.CompletedTask);
        var (_, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), mock.Object);
        await peer.WriteAsync(Bytes("ok\nbad\nafter\n"));
        var info = await AsyncAssert.Within(disconnected.Task, "disconnect");

        Assert.Equal(CloseReason.HandlerError, info.Reason);
        Assert.Same(boom, info.Exception);
        mock.Verify(h => h.OnConnectedAsync(It.IsAny<Connection<string, string>>(), It.IsAny<CancellationToken>()), Times.Once);
        mock.Verify(h => h.OnMessageAsync(It.IsAny<Connection<string, string>>(), "after", It.IsAny<CancellationToken>()), Times.Never);
        mock.Verify(h => h.OnDisconnectedAsync(It.IsAny<Connection<string, string>>(), It.IsAny<CloseInfo>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_handler_that_honours_the_closing_token_is_not_a_handler_error()
    {
        var handler = new RecordingHandler<string, string>
        {
            OnMessage = async (c, m, ct) =>
            {
                c.Close();
                await Task.Delay(Timeout.Infinite, ct);
            },
        };
        var (_, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        await peer.WriteAsync(Bytes("x\n"));
        _ = peer.ReadToEndAsync().ContinueWith(_ => peer.CompleteOutputAsync().AsTask(), TaskScheduler.Default);
        var info = await AsyncAssert.Within(handler.Disconnected, "disconnect");
        Assert.Equal(CloseReason.LocalClose, info.Reason);
    }

    [Fact]
    public async Task Sends_after_close_throw_with_the_close_reason()
    {
        var handler = new RecordingHandler<string, string>();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        peer.Reset();
        await AsyncAssert.Within(connection.Completion, "close");
        var error = await Assert.ThrowsAsync<ConnectionClosedException>(() => connection.SendAsync("late").AsTask());
        Assert.Equal(CloseReason.PeerReset, error.CloseInfo.Reason);
    }

    [Fact]
    public async Task The_first_close_reason_wins()
    {
        var handler = new RecordingHandler<string, string>();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        connection.Close(CloseReason.IdleTimeout);
        connection.Close(CloseReason.LocalClose);
        connection.Abort();
        var info = await AsyncAssert.Within(connection.Completion, "close");
        Assert.Equal(CloseReason.IdleTimeout, info.Reason);
        Assert.Equal(1, handler.DisconnectedCount);
        await peer.DisposeAsync();
    }

    [Fact]
    public async Task Items_hold_per_connection_state()
    {
        var handler = new RecordingHandler<string, string>
        {
            OnMessage = (c, m, ct) =>
            {
                c.Items["count"] = (int)(c.Items.TryGetValue("count", out var n) ? n! : 0) + 1;
                return ValueTask.CompletedTask;
            },
        };
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        await peer.WriteAsync(Bytes("a\nb\nc\n"));
        await peer.CompleteOutputAsync();
        await AsyncAssert.Within(connection.Completion, "close");
        Assert.Equal(3, connection.Items["count"]);
    }

    [Fact]
    public async Task Pull_mode_reads_messages_until_the_peer_finishes()
    {
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler: null);
        await peer.WriteAsync(Bytes("a\nb\n"));
        await peer.CompleteOutputAsync();
        var received = new List<string>();
        await AsyncAssert.Within(Task.Run(async () =>
        {
            await foreach (var line in connection.ReadAllAsync())
            {
                received.Add(line);
                await connection.SendAsync(line.ToUpperInvariant());
            }
        }), "enumeration");
        Assert.Equal(["a", "b"], received);
        Assert.Equal("A\nB\n", Encoding.UTF8.GetString(await AsyncAssert.Within(peer.ReadToEndAsync(), "replies")));
        Assert.Equal(CloseReason.PeerClose, (await AsyncAssert.Within(connection.Completion, "close")).Reason);
    }

    [Fact]
    public async Task Pull_mode_refuses_a_second_reader_and_handler_mode_refuses_any()
    {
        var (pull, pullPeer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler: null);
        await using var first = pull.ReadAllAsync().GetAsyncEnumerator();
        var pending = first.MoveNextAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await pull.ReadAllAsync().GetAsyncEnumerator().MoveNextAsync());
        await pullPeer.WriteAsync(Bytes("z\n"));
        Assert.True(await AsyncAssert.Within(pending, "first message"));
        Assert.Equal("z", first.Current);

        var (push, _) = InMemoryConnection.CreateWithPeer(Codec.Lines(), new RecordingHandler<string, string>());
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await push.ReadAllAsync().GetAsyncEnumerator().MoveNextAsync());
        push.Abort();
        pull.Abort();
    }
}

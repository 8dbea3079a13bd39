using System.Text;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Testing;

namespace SocketKit.Tests.Connections;

/// <summary>
/// Replies a handler sends while the connection dispatches to it are flushed once per batch, but never wait on anything
/// except the handler's own synchronous work: every reply arrives, in order, and one sent before the handler awaits
/// something else arrives before that something happens.
/// </summary>
public class ConnectionBatchTests
{
    [Fact]
    public async Task Replies_to_a_pipelined_batch_all_arrive_in_order()
    {
        var handler = new RecordingHandler<string, string> { OnMessage = (c, m, ct) => c.SendAsync("re " + m, ct) };
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        var lines = Enumerable.Range(0, 200).Select(i => $"m{i}").ToArray();

        await peer.WriteAsync(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"), TestContext.Current.CancellationToken); // one read, 200 messages
        var expected = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => $"re {l}\n")));

        Assert.Equal(expected, await AsyncAssert.Within(peer.ReadExactlyAsync(expected.Length, TestContext.Current.CancellationToken), "every reply"));
        connection.Close();
    }

    [Fact]
    public async Task A_reply_sent_before_the_handler_waits_arrives_before_the_wait_ends()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler<string, string>
        {
            OnMessage = async (c, m, ct) =>
            {
                await c.SendAsync("working on " + m, ct);
                await gate.Task; // e.g. a database call: the reply above must not wait for it
                await c.SendAsync("done " + m, ct);
            },
        };
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);

        await peer.WriteAsync("job\n"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal("working on job\n"u8.ToArray(), await AsyncAssert.Within(peer.ReadExactlyAsync(15, TestContext.Current.CancellationToken), "the first reply, while the handler waits"));
        gate.SetResult();
        Assert.Equal("done job\n"u8.ToArray(), await AsyncAssert.Within(peer.ReadExactlyAsync(9, TestContext.Current.CancellationToken), "the second reply"));
        connection.Close();
    }

    [Fact]
    public async Task FlushAsync_inside_the_handler_hands_the_batch_on_and_returns()
    {
        var handler = new RecordingHandler<string, string>
        {
            OnMessage = async (c, m, ct) =>
            {
                await c.SendAsync("re " + m, ct);
                await c.FlushAsync(ct); // must not wait for the batch's end, which waits for this handler
            },
        };
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);

        await peer.WriteAsync("a\nb\n"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal("re a\nre b\n"u8.ToArray(), await AsyncAssert.Within(peer.ReadExactlyAsync(10, TestContext.Current.CancellationToken), "both replies"));
        connection.Close();
    }

    [Fact]
    public async Task Replies_beyond_the_send_buffer_within_one_dispatch_wait_for_room_instead_of_deadlocking()
    {
        var options = new ConnectionOptions { SendBufferHighWatermark = 4096, SendBufferLowWatermark = 2048 };
        var line = new string('x', 1023);
        var handler = new RecordingHandler<string, string>
        {
            OnMessage = async (c, m, ct) =>
            {
                for (var i = 0; i < 64; i++)
                {
                    await c.SendAsync(line, ct); // 64 KiB from one call: the batch must be flushed to make room
                }
            },
        };
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler, options);

        await peer.WriteAsync("go\n"u8.ToArray(), TestContext.Current.CancellationToken);

        var received = await AsyncAssert.Within(peer.ReadExactlyAsync(64 * 1024, TestContext.Current.CancellationToken), "64 KiB through a 4 KiB send buffer");
        Assert.All(received, b => Assert.True(b == (byte)'x' || b == (byte)'\n'));
        connection.Close();
    }
    [Fact]
    public async Task The_handler_answers_the_peers_end_after_a_batch_without_waiting_for_it()
    {
        var handler = new AnsweringHandler();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler, new ConnectionOptions { AllowHalfClose = true });

        await peer.WriteAsync("a\nb\n"u8.ToArray(), TestContext.Current.CancellationToken);
        await peer.CompleteOutputAsync(); // read with the replies' batch: the end is answered from outside a dispatch

        Assert.Equal("re a\nre b\nbye\n", Encoding.UTF8.GetString(await AsyncAssert.Within(peer.ReadToEndAsync(TestContext.Current.CancellationToken), "the replies, the goodbye and the FIN")));
        await AsyncAssert.Within(connection.Completion, "the close");
    }

    [Fact]
    public async Task The_handler_answers_bad_input_after_a_batch_without_waiting_for_it()
    {
        var handler = new AnsweringHandler();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(new LineFramerOptions { MaxLineLength = 16 }), handler);

        await peer.WriteAsync(Encoding.UTF8.GetBytes("a\n" + new string('x', 64) + "\n"), TestContext.Current.CancellationToken);

        Assert.Equal("re a\nERR too long\n", Encoding.UTF8.GetString(await AsyncAssert.Within(peer.ReadToEndAsync(TestContext.Current.CancellationToken), "the reply, the error's answer and the close")));
        Assert.Equal(CloseReason.ProtocolError, (await AsyncAssert.Within(connection.Completion, "the close")).Reason);
    }

    /// <summary>Replies to each line, and answers the peer's end and bad input from outside any dispatch.</summary>
    private sealed class AnsweringHandler : ConnectionHandler<string, string>
    {
        public override ValueTask OnMessageAsync(Connection<string, string> connection, string message, CancellationToken closing) =>
            connection.SendAsync("re " + message, closing);

        public override async ValueTask OnInputCompletedAsync(Connection<string, string> connection, CancellationToken closing)
        {
            await connection.SendAsync("bye", closing);
            await connection.CompleteOutputAsync(closing);
        }

        public override ValueTask OnProtocolErrorAsync(Connection<string, string> connection, ProtocolException error, CancellationToken closing) =>
            connection.SendAsync("ERR too long", closing);
    }
}

using System.Text;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Testing;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Connections;

public class ConnectionSendTests
{
    private static readonly string Kilobyte = new('k', 1023); // plus "\n" = 1 KiB per line

    private static ConnectionOptions SmallBuffer(FullSendBufferPolicy policy) => new()
    {
        SendBufferHighWatermark = 4096,
        SendBufferLowWatermark = 2048,
        FullSendBufferPolicy = policy,
    };

    /// <summary>Sends 1 KiB lines to a peer that never reads until a send is refused with <typeparamref name="T"/>.</summary>
    private static async Task<T?> SendUntilRefused<T>(Connection<string, string> connection)
        where T : Exception
    {
        for (var i = 0; i < 1000; i++)
        {
            try
            {
                await AsyncAssert.Within(connection.SendAsync(Kilobyte), "a send");
            }
            catch (T e)
            {
                return e;
            }
        }

        return null;
    }

    [Fact]
    public async Task Byte_messages_in_one_segment_or_many_are_framed_alike()
    {
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.LengthPrefixed(), new RecordingHandler<System.Buffers.ReadOnlySequence<byte>, System.Buffers.ReadOnlySequence<byte>>());
        var payload = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();

        await connection.SendAsync(new System.Buffers.ReadOnlySequence<byte>(payload), TestContext.Current.CancellationToken); // framed straight from the message
        await connection.SendAsync(SegmentedSequence.Create([payload[..7], payload[7..50], payload[50..]]), TestContext.Current.CancellationToken); // through the encode buffer

        byte[] frame = [0, 0, 0, 100, .. payload];
        var received = await AsyncAssert.Within(peer.ReadExactlyAsync(2 * frame.Length, TestContext.Current.CancellationToken), "both frames");
        Assert.Equal(frame.Concat(frame).ToArray(), received);
        connection.Close();
    }

    [Fact]
    public async Task Concurrent_senders_never_interleave_and_keep_their_own_order()
    {
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), new RecordingHandler<string, string>());
        const int senders = 8, each = 200;
        var sends = Enumerable.Range(0, senders).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await connection.SendAsync($"t{t}-{i}-{new string((char)('a' + t), i % 50)}");
            }
        })).ToArray();
        await AsyncAssert.Within(Task.WhenAll(sends), "all sends");
        await AsyncAssert.Within(connection.FlushAsync(), "the send buffer to drain");
        connection.Close();
        var text = Encoding.UTF8.GetString(await AsyncAssert.Within(peer.ReadToEndAsync(), "all bytes"));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(senders * each, lines.Length);
        for (var t = 0; t < senders; t++)
        {
            var mine = lines.Where(l => l.StartsWith($"t{t}-", StringComparison.Ordinal)).ToArray();
            Assert.Equal(Enumerable.Range(0, each).Select(i => $"t{t}-{i}-{new string((char)('a' + t), i % 50)}"), mine);
        }
    }

    [Fact]
    public async Task Fail_fast_policy_refuses_a_send_above_the_high_watermark_and_keeps_the_connection()
    {
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), new RecordingHandler<string, string>(), SmallBuffer(FullSendBufferPolicy.FailFast));
        var refused = await SendUntilRefused<SendBufferFullException>(connection);
        Assert.NotNull(refused);
        Assert.True(refused.BufferedBytes >= 4096);
        Assert.Equal(ConnectionState.Open, connection.State);
        connection.Abort();
        await peer.DisposeAsync();
    }

    [Fact]
    public async Task Disconnect_policy_closes_a_slow_consumer()
    {
        var (connection, _) = InMemoryConnection.CreateWithPeer(Codec.Lines(), new RecordingHandler<string, string>(), SmallBuffer(FullSendBufferPolicy.Disconnect));
        var closed = await SendUntilRefused<ConnectionClosedException>(connection);
        Assert.NotNull(closed);
        Assert.Equal(CloseReason.SlowConsumer, closed.CloseInfo.Reason);
        Assert.Equal(CloseReason.SlowConsumer, (await AsyncAssert.Within(connection.Completion, "close")).Reason);
    }

    [Fact]
    public async Task Writability_goes_false_above_the_high_watermark_and_true_below_the_low_one()
    {
        var handler = new RecordingHandler<string, string>();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler, SmallBuffer(FullSendBufferPolicy.Wait));
        const int lines = 300;
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < lines; i++)
            {
                await connection.SendAsync(Kilobyte);
            }
        });
        await AsyncAssert.Within(handler.WhenEvent("writable:False"), "not writable");
        Assert.False(sending.IsCompleted, "the sender should be waiting for buffer space");
        var received = await AsyncAssert.Within(peer.ReadExactlyAsync(lines * 1024), "all lines");
        Assert.Equal(lines * 1024, received.Length);
        await AsyncAssert.Within(sending, "sends to complete");
        await AsyncAssert.Within(handler.WhenEvent("writable:True"), "writable again");
        Assert.True(connection.IsWritable);
        connection.Abort();
    }

    [Fact]
    public async Task A_peer_that_never_reads_is_closed_by_the_write_timeout()
    {
        var time = new FakeTimeProvider();
        var options = SmallBuffer(FullSendBufferPolicy.Wait);
        options.WriteTimeout = TimeSpan.FromSeconds(5);
        options.ReceiveSegmentSize = 1024;
        options.MaxReceiveBufferSize = 4096;
        var handler = new RecordingHandler<string, string>();
        var (connection, _) = InMemoryConnection.CreateWithPeer(Codec.Lines(new LineFramerOptions { MaxLineLength = 2048 }), handler, options, time);
        var big = new string('b', 100_000);
        // The first message fills the peer's unread input; the second can then never leave the send buffer.
        await AsyncAssert.Within(connection.SendAsync(big), "the first send");
        var blocked = connection.SendAsync(big);
        Assert.False(blocked.IsCompleted, "the second send should wait for buffer space");
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(blocked.IsCompleted, "not yet past the write timeout");
        time.Advance(TimeSpan.FromSeconds(3));
        var error = await Assert.ThrowsAsync<ConnectionClosedException>(() => AsyncAssert.Within(blocked, "the blocked send"));
        Assert.Equal(CloseReason.WriteTimeout, error.CloseInfo.Reason);
        Assert.Equal(CloseReason.WriteTimeout, (await AsyncAssert.Within(handler.Disconnected, "disconnect")).Reason);
    }

    [Fact]
    public async Task Flush_completes_when_the_bytes_have_left_the_send_buffer()
    {
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), new RecordingHandler<string, string>());
        await connection.SendAsync("hello");
        await AsyncAssert.Within(connection.FlushAsync(), "flush");
        Assert.Equal("hello\n", Encoding.UTF8.GetString(await AsyncAssert.Within(peer.ReadExactlyAsync(6), "bytes")));
        connection.Abort();
    }

    [Fact]
    public async Task Complete_output_sends_fin_and_keeps_reading()
    {
        var handler = new RecordingHandler<string, string>();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler);
        await connection.SendAsync("last words");
        await connection.CompleteOutputAsync();
        Assert.Equal("last words\n", Encoding.UTF8.GetString(await AsyncAssert.Within(peer.ReadToEndAsync(), "FIN")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => connection.SendAsync("more").AsTask());
        await peer.WriteAsync(Encoding.UTF8.GetBytes("still listening?\n"));
        await peer.CompleteOutputAsync();
        var info = await AsyncAssert.Within(handler.Disconnected, "disconnect");
        Assert.Equal(["still listening?"], handler.Messages);
        Assert.Equal(CloseReason.LocalClose, info.Reason);
    }

    [Fact]
    public async Task With_half_close_the_handler_hears_the_fin_and_can_still_send()
    {
        var handler = new RecordingHandler<string, string>();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler, new ConnectionOptions { AllowHalfClose = true });
        await peer.WriteAsync(Encoding.UTF8.GetBytes("question\n"));
        await peer.CompleteOutputAsync();
        await AsyncAssert.Within(handler.WhenEvent("input-completed"), "input completed");
        Assert.Equal(ConnectionState.Open, connection.State);
        await connection.SendAsync("answer after your FIN");
        connection.Close();
        Assert.Equal("answer after your FIN\n", Encoding.UTF8.GetString(await AsyncAssert.Within(peer.ReadToEndAsync(), "reply and FIN")));
        Assert.Equal(CloseReason.LocalClose, (await AsyncAssert.Within(handler.Disconnected, "disconnect")).Reason);
        Assert.Equal(["connected", "message", "input-completed", "disconnected"], handler.Events);
    }
}

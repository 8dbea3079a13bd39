using System.Buffers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.Testing;
using SocketKit.Tests.Infrastructure;

namespace SocketKit.Tests.Connections;

public class ConnectionIdleTests
{
    [Fact]
    public async Task Reader_idle_is_notified_on_the_fake_clock_and_again_each_period()
    {
        var time = new FakeTimeProvider();
        var handler = new RecordingHandler<string, string>();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler,
            new ConnectionOptions { ReaderIdleTime = TimeSpan.FromSeconds(10) }, time);
        await AsyncAssert.Within(handler.WhenEvent("connected"), "connected");
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.DoesNotContain("idle:Reader", handler.Events);
        time.Advance(TimeSpan.FromSeconds(2));
        await AsyncAssert.Within(handler.WhenEvent("idle:Reader"), "reader idle");
        Assert.Equal(ConnectionState.Open, connection.State);
        connection.Abort();
        await peer.DisposeAsync();
    }

    [Fact]
    public async Task Writer_and_all_idle_fire_for_their_own_directions()
    {
        var time = new FakeTimeProvider();
        var handler = new RecordingHandler<string, string>();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler,
            new ConnectionOptions { WriterIdleTime = TimeSpan.FromSeconds(5), AllIdleTime = TimeSpan.FromSeconds(20) }, time);
        await AsyncAssert.Within(handler.WhenEvent("connected"), "connected");
        time.Advance(TimeSpan.FromSeconds(6));
        await AsyncAssert.Within(handler.WhenEvent("idle:Writer"), "writer idle");
        Assert.DoesNotContain("idle:All", handler.Events);
        time.Advance(TimeSpan.FromSeconds(15));
        await AsyncAssert.Within(handler.WhenEvent("idle:All"), "all idle");
        connection.Abort();
        await peer.DisposeAsync();
    }

    [Fact]
    public async Task Idle_timeout_closes_the_connection_after_idle_time_plus_one_tick()
    {
        var time = new FakeTimeProvider();
        var handler = new RecordingHandler<string, string>();
        var (_, peer) = InMemoryConnection.CreateWithPeer(Codec.Lines(), handler,
            new ConnectionOptions { IdleTimeout = TimeSpan.FromSeconds(30) }, time);
        await AsyncAssert.Within(handler.WhenEvent("connected"), "connected");
        await peer.WriteAsync(Encoding.UTF8.GetBytes("keepalive\n"));
        await AsyncAssert.Within(handler.WhenEvent("message"), "message");
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(0, handler.DisconnectedCount);
        time.Advance(TimeSpan.FromSeconds(12));
        await AsyncAssert.Within(peer.ReadToEndAsync(), "the server's FIN");
        await peer.CompleteOutputAsync();
        var info = await AsyncAssert.Within(handler.Disconnected, "disconnect");
        Assert.Equal(CloseReason.IdleTimeout, info.Reason);
        Assert.False(info.IsPeerCaused);
    }

    [Fact]
    public async Task A_frame_that_stalls_half_way_is_closed_as_a_receive_timeout()
    {
        var time = new FakeTimeProvider();
        var handler = new RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.LengthPrefixed(), handler,
            new ConnectionOptions { FrameTimeout = TimeSpan.FromSeconds(10) }, time);
        await AsyncAssert.Within(handler.WhenEvent("connected"), "connected");

        var partial = connection.PartialFrameChanged;
        await peer.WriteAsync(new byte[] { 0, 0 }); // half a length field, then nothing
        await AsyncAssert.Within(partial, "the loop to see the partial frame");
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, handler.DisconnectedCount);
        time.Advance(TimeSpan.FromSeconds(2));

        var info = await AsyncAssert.Within(handler.Disconnected, "the receive timeout");
        Assert.Equal(CloseReason.ReceiveTimeout, info.Reason);
        Assert.True(info.IsPeerCaused);
        await peer.DisposeAsync();
    }

    [Fact]
    public async Task A_frame_that_completes_in_time_resets_the_frame_deadline()
    {
        var time = new FakeTimeProvider();
        var handler = new RecordingHandler<ReadOnlySequence<byte>, ReadOnlySequence<byte>>();
        var (connection, peer) = InMemoryConnection.CreateWithPeer(Codec.LengthPrefixed(), handler,
            new ConnectionOptions { FrameTimeout = TimeSpan.FromSeconds(10) }, time);
        await AsyncAssert.Within(handler.WhenEvent("connected"), "connected");

        var partial = connection.PartialFrameChanged;
        await peer.WriteAsync(new byte[] { 0, 0, 0, 1 });
        await AsyncAssert.Within(partial, "the loop to see the partial frame");
        time.Advance(TimeSpan.FromSeconds(8));
        var boundary = connection.PartialFrameChanged;
        await peer.WriteAsync(new byte[] { 42 });
        await AsyncAssert.Within(handler.WhenEvent("message"), "the completed frame");
        await AsyncAssert.Within(boundary, "the loop to pass the frame boundary");
        Assert.Equal(0, connection.PartialFrameSince);
        time.Advance(TimeSpan.FromSeconds(8)); // 16 s after the first byte, but no frame is pending now

        Assert.Equal(ConnectionState.Open, connection.State);
        connection.Abort();
        await peer.DisposeAsync();
    }
}

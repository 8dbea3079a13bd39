using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;

namespace SocketKit.IntegrationTests;

/// <summary>A broadcast never waits for one slow peer: each connection's own send policy applies to it alone.</summary>
[Collection(nameof(LoopbackTests))]
public sealed class BroadcastTests
{
    [Fact]
    public async Task A_peer_that_never_reads_holds_up_nobody_else()
    {
        var time = new FakeTimeProvider(); // the stalled peer's write timeout never comes on its own
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(() => new()
        {
            OnMessage = async (c, m, ct) => await c.Group!.BroadcastAsync(m, cancellationToken: ct),
        });
        await using var server = await EchoServer.StartAsync(recorder, o =>
        {
            o.Connection.SendBufferHighWatermark = 64 * 1024;
            o.Connection.SendBufferLowWatermark = 32 * 1024;
            o.Socket.ConfigureSocket = socket => socket.SendBufferSize = 16 * 1024;
        }, time: time);
        using var stalled = await RawClient.ConnectAsync(server.EndPoint, receiveBufferSize: 16 * 1024);
        var (stalledConnection, _) = await server.Handler.NextConnectedAsync();
        using var listener = await RawClient.ConnectAsync(server.EndPoint);
        await server.Handler.NextConnectedAsync();
        using var talker = await RawClient.ConnectAsync(server.EndPoint);
        await server.Handler.NextConnectedAsync();

        // 800 KB of broadcasts: many times what the stalled peer's buffers hold.
        for (var i = 0; i < 100; i++)
        {
            var payload = new byte[8 * 1024];
            Array.Fill(payload, (byte)i);
            await talker.SendFrameAsync(payload);
            Assert.Equal(payload, await listener.ReadFrameAsync());
            Assert.Equal(payload, await talker.ReadFrameAsync());
        }

        Assert.False(stalledConnection.IsWritable); // its copies wait in its own queue, under its own policy
        Assert.Equal(ConnectionState.Open, stalledConnection.State);
        var first = await stalled.ReadFrameAsync(); // and arrive in order once it reads
        Assert.Equal(0, first![0]);
    }
}

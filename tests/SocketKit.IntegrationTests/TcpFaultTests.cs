using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;

namespace SocketKit.IntegrationTests;

/// <summary>Faults a peer can inflict, each followed by proof that the server still serves a fresh client.</summary>
[Collection(nameof(LoopbackTests))]
public sealed class TcpFaultTests
{
    [Fact]
    public async Task A_slowloris_is_closed_at_the_frame_deadline_and_a_fresh_client_is_served()
    {
        var time = new FakeTimeProvider();
        await using var echo = await EchoServer.StartAsync(
            new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(EchoServer.Echoing),
            o => o.Connection.FrameTimeout = TimeSpan.FromSeconds(20), time: time);
        using var slow = await RawClient.ConnectAsync(echo.EndPoint);
        var (connection, recorder) = await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the slow client's connection");

        await slow.SendAsync([0]); // one byte of a length field
        await AsyncAssert.Until(() => connection.PartialFrameSince != 0, "the server to count the byte");
        time.Advance(TimeSpan.FromSeconds(21) + TimeSpan.FromSeconds(1)); // past the deadline, plus one tick

        Assert.Equal("reset", await AsyncAssert.Within(slow.WaitForEndAsync(), "the server to reset the slow client"));
        var info = await AsyncAssert.Within(recorder.Disconnected, "the slow client's disconnect");
        Assert.Equal(CloseReason.ReceiveTimeout, info.Reason);
        await AssertServesAFreshClientAsync(echo);
    }

    internal static async Task AssertServesAFreshClientAsync(EchoServer echo, System.Net.IPAddress? source = null)
    {
        using var fresh = await RawClient.ConnectAsync(echo.EndPoint, source);
        await fresh.SendFrameAsync("still serving"u8.ToArray());
        Assert.Equal("still serving"u8.ToArray(), await AsyncAssert.Within(fresh.ReadFrameAsync(), "the fresh client's echo"));
    }
}

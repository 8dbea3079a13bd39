using System.Buffers;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using SocketKit.IntegrationTests.Infrastructure;

namespace SocketKit.IntegrationTests;

[Collection(nameof(LoopbackTests))]
public sealed class TcpLimitTests
{
    private static readonly IPAddress Crowd = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.3");

    [Fact]
    public async Task One_address_gets_at_most_its_share_and_its_slot_comes_back_when_a_connection_ends()
    {
        await using var echo = await EchoServer.StartAsync(o => o.MaxConnectionsPerAddress = 2);
        using var first = await RawClient.ConnectAsync(echo.EndPoint, Crowd);
        var (_, firstRecorder) = await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the first connection");
        using var second = await RawClient.ConnectAsync(echo.EndPoint, Crowd);
        await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the second connection");

        Assert.Contains(await AsyncAssert.Within(RawClient.ConnectExpectingRefusalAsync(echo.EndPoint, Crowd), "the third from the same address to be refused", 5), new[] { "fin", "reset" });
        Assert.Equal(1, echo.Server.RejectedConnections);
        await TcpFaultTests.AssertServesAFreshClientAsync(echo, Other);

        first.Reset();
        await AsyncAssert.Within(firstRecorder.Disconnected, "the first connection to end");
        await TcpFaultTests.AssertServesAFreshClientAsync(echo, Crowd);
        Assert.Equal(1, echo.Server.RejectedConnections);
    }

    [Fact]
    public async Task Accepts_beyond_the_rate_wait_for_the_next_tick()
    {
        var time = new FakeTimeProvider();
        await using var echo = await EchoServer.StartAsync(
            new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(EchoServer.Echoing),
            o => o.MaxAcceptsPerSecond = 2, time: time);
        var clients = new List<RawClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                clients.Add(await RawClient.ConnectAsync(echo.EndPoint)); // the OS completes the handshake; accepting is up to the server
            }

            await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the first accept");
            await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the second accept");
            Assert.Equal(2, echo.Server.AcceptedConnections); // the other two wait in the backlog for the next tick

            time.Advance(TimeSpan.FromSeconds(1));
            await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the third accept, after the tick");
            await AsyncAssert.Within(echo.Handler.NextConnectedAsync(), "the fourth accept");
            Assert.Equal(4, echo.Server.AcceptedConnections);
            Assert.Equal(0, echo.Server.RejectedConnections);
        }
        finally
        {
            clients.ForEach(c => c.Dispose()); // before the server stops: its drain deadline is on the fake clock
        }
    }
}

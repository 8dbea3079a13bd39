using SocketKit.IntegrationTests.Infrastructure;

namespace SocketKit.IntegrationTests;

/// <summary>User code that throws while a connection is being set up ends that connection, and only that one.</summary>
[Collection(nameof(LoopbackTests))]
public sealed class TcpSetupFailureTests
{
    [Fact]
    public async Task A_ConfigureSocket_hook_that_throws_refuses_that_connection_and_gives_its_slot_back()
    {
        var calls = 0;
        await using var echo = await EchoServer.StartAsync(o => o.Socket.ConfigureSocket = _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new KeyNotFoundException("a bug in the application's socket setup");
            }
        });

        Assert.Contains(await AsyncAssert.Within(RawClient.ConnectExpectingRefusalAsync(echo.EndPoint), "the connection to be refused"), new[] { "fin", "reset" });

        Assert.Equal(1, echo.Server.RejectedConnections);
        await TcpFaultTests.AssertServesAFreshClientAsync(echo);
        await AsyncAssert.Within(echo.Server.StopAsync(), "the server to stop (no slot left behind)");
        Assert.Equal(0, echo.Server.ConnectionCount);
    }
}

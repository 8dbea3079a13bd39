using System.Buffers;
using SocketKit.Codecs;
using SocketKit.Connections;
using SocketKit.IntegrationTests.Infrastructure;
using SocketKit.Tcp;
using SocketKit.Udp;

namespace SocketKit.IntegrationTests;

/// <summary><c>RunAsync</c>: serve until a token is cancelled (Ctrl+C, SIGTERM, a host) or the server is stopped, then stop gracefully.</summary>
[Collection(nameof(LoopbackTests))]
public sealed class ServerRunTests
{
    [Fact]
    public async Task A_tcp_server_runs_until_its_token_is_cancelled_then_drains_and_stops()
    {
        var recorder = new ServerRecorder<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(EchoServer.Echoing);
        var options = new TcpServerOptions { EndPoints = { Loopback.Any4 } };
        await using var server = new TcpServer<ReadOnlySequence<byte>, ReadOnlySequence<byte>>(options, Codec.LengthPrefixed(), recorder);
        await server.StartAsync(TestContext.Current.CancellationToken);
        using var stop = new CancellationTokenSource();
        var running = server.RunAsync(stop.Token);
        using var client = await RawClient.ConnectAsync(server.EndPoints[0]);
        await client.SendFrameAsync("while running"u8.ToArray());
        Assert.Equal("while running"u8.ToArray(), await client.ReadFrameAsync());
        var (_, connection) = await recorder.NextConnectedAsync();
        Assert.False(running.IsCompleted);

        await stop.CancelAsync();

        Assert.Equal("fin", await client.WaitForEndAsync()); // the graceful stop: FIN, then it waits for ours
        client.Dispose();
        await AsyncAssert.Within(running, "RunAsync to finish the stop");
        Assert.Equal(CloseReason.ServerShutdown, (await connection.Disconnected).Reason);
    }

    [Fact]
    public async Task A_udp_server_started_by_RunAsync_ends_when_StopAsync_is_called()
    {
        var options = new UdpServerOptions();
        options.Endpoint.LocalEndPoint = Loopback.Any4;
        await using var server = new UdpServer<string, string>(options, Utf8TextCodec.Instance, Utf8TextCodec.Instance, new SessionRecorder());

        var running = server.RunAsync(TestContext.Current.CancellationToken); // starts it
        Assert.NotEqual(0, server.LocalEndPoint.Port);
        await server.StopAsync(TestContext.Current.CancellationToken);

        await AsyncAssert.Within(running, "RunAsync to end with the stop");
    }
}

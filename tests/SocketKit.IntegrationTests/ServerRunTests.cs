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

    [Fact]
    public async Task A_udp_endpoint_started_by_RunAsync_receives_until_its_token_is_cancelled_or_it_is_stopped()
    {
        var recorder = new DatagramRecorder<string, string>();
        await using var endpoint = new UdpEndpoint<string, string>(new UdpEndpointOptions { LocalEndPoint = Loopback.Any4 }, Utf8TextCodec.Instance, Utf8TextCodec.Instance, recorder);
        using var stop = new CancellationTokenSource();

        var running = endpoint.RunAsync(stop.Token); // starts it
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        await socket.SendToAsync("while running"u8.ToArray(), System.Net.Sockets.SocketFlags.None, endpoint.LocalEndPoint);
        Assert.Equal("while running", (await recorder.NextAsync()).Message);
        Assert.False(running.IsCompleted);

        await stop.CancelAsync();
        await AsyncAssert.Within(running, "RunAsync to stop the endpoint");
        Assert.Throws<InvalidOperationException>(() => endpoint.JoinMulticastGroup(System.Net.IPAddress.Parse("239.1.2.3"))); // not running

        await using var second = new UdpEndpoint<string, string>(new UdpEndpointOptions { LocalEndPoint = Loopback.Any4 }, Utf8TextCodec.Instance, Utf8TextCodec.Instance, new DatagramRecorder<string, string>());
        var runningUntilStopped = second.RunAsync(TestContext.Current.CancellationToken);
        await second.StopAsync(TestContext.Current.CancellationToken);
        await AsyncAssert.Within(runningUntilStopped, "RunAsync to end with the stop");
    }

    /// <summary>
    /// RunAsync() has started the server when it returns (after taking the stop signals), so a program may announce
    /// where it listens right after calling it; the Echo sample does, and a SIGTERM sent at once stops it gracefully.
    /// </summary>
    [Fact]
    public async Task RunAsync_without_a_token_has_started_the_server_when_it_returns()
    {
        await using var tcp = new TcpServer<string, string>(new TcpServerOptions { EndPoints = { Loopback.Any4 } }, Codec.Lines(), new SessionRecorder());
        await using var udp = new UdpEndpoint<string, string>(new UdpEndpointOptions { LocalEndPoint = Loopback.Any4 }, Utf8TextCodec.Instance, Utf8TextCodec.Instance);

        var tcpRunning = tcp.RunAsync();
        var udpRunning = udp.RunAsync();

        Assert.NotEqual(0, Assert.Single(tcp.EndPoints).Port);
        Assert.NotEqual(0, udp.LocalEndPoint.Port);
        Assert.False(tcpRunning.IsCompleted);
        await tcp.StopAsync(TestContext.Current.CancellationToken);
        await udp.StopAsync(TestContext.Current.CancellationToken);
        await AsyncAssert.Within(Task.WhenAll(tcpRunning, udpRunning), "both runs to end with their stop");
    }
}
